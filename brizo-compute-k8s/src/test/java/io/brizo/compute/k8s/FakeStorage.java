package io.brizo.compute.k8s;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Storage whose {@code s3:} locations presign to a local URL and whose other locations do not. */
final class FakeStorage implements StorageAccess {
    private final String presignBase;

    FakeStorage(String presignBase) {
        this.presignBase = presignBase;
    }

    @Override
    public ObjectInfo stat(URI location) {
        throw BrizoException.notFound("not used");
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        throw BrizoException.notFound("not used");
    }

    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        if (!"s3".equals(location.getScheme())) {
            return Optional.empty();
        }
        return Optional.of(URI.create(presignBase + location.getHost() + location.getPath() + "?signed=1"));
    }

    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        throw BrizoException.notFound("not used");
    }
}
