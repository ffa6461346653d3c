package io.brizo.compute.k8s;

import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import io.brizo.testkit.InMemoryStorageDriver;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Storage for tests that play the pods themselves (a hand-written fake, since these tests have no
 * HTTP server for links to point at): {@code s3:} locations presign to a local URL and others do
 * not; given a link base, it makes numbered transfer links for those others, as the library does
 * when BRIZO_PUBLIC_URL is set. Upload links are numbered URLs whose prefixes the test looks up to
 * play the publish pod; objects live in the testkit's in-memory driver ({@code mem:} locations).
 */
final class FakeStorage implements StorageAccess {
    /** The output location of {@link Jobs#config}. */
    static final URI OUTPUTS = URI.create("mem:/jobs/");

    final InMemoryStorageDriver memory = new InMemoryStorageDriver();
    private final String presignBase;
    private final String linkBase;
    private final boolean uploads;
    private final AtomicInteger links = new AtomicInteger();
    private final Map<String, URI> uploadPrefixes = new ConcurrentHashMap<>();

    FakeStorage(String presignBase) {
        this(presignBase, null, true);
    }

    FakeStorage(String presignBase, String linkBase) {
        this(presignBase, linkBase, true);
    }

    FakeStorage(String presignBase, String linkBase, boolean uploads) {
        this.presignBase = presignBase;
        this.linkBase = linkBase;
        this.uploads = uploads;
    }

    @Override
    public Optional<URI> transferLink(URI location, Duration lifetime) {
        return linkBase == null ? Optional.empty() : Optional.of(URI.create(linkBase + links.incrementAndGet()));
    }

    @Override
    public Optional<URI> uploadLink(URI prefix, Duration lifetime, long maxBytes) {
        if (!uploads) {
            return Optional.empty();
        }
        String link = "http://127.0.0.1:9/upload/" + links.incrementAndGet();
        uploadPrefixes.put(link, prefix);
        return Optional.of(URI.create(link));
    }

    /** Plays one upload through {@code link}, as the publish pod would. */
    void upload(String link, String name, byte[] content) {
        URI prefix = uploadPrefixes.get(link);
        if (prefix == null) {
            throw new IllegalStateException("no upload link " + link);
        }
        memory.put(StorageAccess.resolve(prefix, name), content, null);
    }

    @Override
    public ObjectInfo stat(URI location) {
        return memory.stat(location);
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        return memory.open(location, range);
    }

    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        if (!"s3".equals(location.getScheme())) {
            return Optional.empty();
        }
        return Optional.of(URI.create(presignBase + location.getHost() + location.getPath() + "?signed=1"));
    }

    @Override
    public void delete(URI location) {
        memory.delete(location);
    }

    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        return memory.write(location, data, length, contentType);
    }
}
