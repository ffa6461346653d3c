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

/**
 * Storage whose {@code s3:} locations presign to a local URL and whose other locations do not;
 * given a link base, it makes numbered transfer links for those others, as the library does when
 * BRIZO_PUBLIC_URL is set.
 */
final class FakeStorage implements StorageAccess {
    private final String presignBase;
    private final String linkBase;
    private final java.util.concurrent.atomic.AtomicInteger links = new java.util.concurrent.atomic.AtomicInteger();

    FakeStorage(String presignBase) {
        this(presignBase, null);
    }

    FakeStorage(String presignBase, String linkBase) {
        this.presignBase = presignBase;
        this.linkBase = linkBase;
    }

    @Override
    public Optional<URI> transferLink(URI location, Duration lifetime) {
        return linkBase == null ? Optional.empty() : Optional.of(URI.create(linkBase + links.incrementAndGet()));
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
