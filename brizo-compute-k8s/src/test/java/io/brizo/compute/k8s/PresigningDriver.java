package io.brizo.compute.k8s;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A storage driver for {@code fake:} locations that holds its objects in memory and presigns
 * them, standing in for S3 or Azure in the HTTP test; or, made with {@link #notPresigning}, does
 * not, standing in for local files or IPFS.
 */
final class PresigningDriver implements StorageDriver {
    static final String SCHEME = "fake";
    private final Map<URI, byte[]> objects;
    private final boolean presigns;

    PresigningDriver(Map<URI, byte[]> objects) {
        this(objects, true);
    }

    private PresigningDriver(Map<URI, byte[]> objects, boolean presigns) {
        this.objects = Map.copyOf(objects);
        this.presigns = presigns;
    }

    /** {@return a driver over {@code objects} that cannot presign} */
    static PresigningDriver notPresigning(Map<URI, byte[]> objects) {
        return new PresigningDriver(objects, false);
    }

    @Override
    public String name() {
        return "fake-presigning";
    }

    @Override
    public boolean supports(URI location) {
        return SCHEME.equals(location.getScheme());
    }

    private byte[] content(URI location) {
        byte[] b = objects.get(location);
        if (b == null) {
            throw BrizoException.notFound("no object");
        }
        return b;
    }

    @Override
    public ObjectInfo stat(URI location) {
        return ObjectInfo.builder(content(location).length).build();
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        byte[] b = content(location);
        ByteRange.Slice slice = range.resolve(b.length);
        return new StorageObject(
                ObjectInfo.builder(b.length).build(), slice, new ByteArrayInputStream(b, (int) slice.offset(), (int)
                        slice.length()));
    }

    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        content(location);
        if (!presigns) {
            return Optional.empty();
        }
        return Optional.of(
                URI.create("https://127.0.0.1:9/signed" + location.getPath() + "?expires=" + lifetime.toSeconds()));
    }
}
