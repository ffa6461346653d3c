package io.brizo.internal.compute.links;

import io.brizo.http.Routes;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Storage access for compute backends that, besides delegating, makes transfer links: URLs under
 * the server's public base that read an object once, or write objects under a prefix, through
 * {@link TransferLinks}. Without a
 * public base it makes none, since pods would have no address to reach.
 */
public final class LinkingStorageAccess implements StorageAccess {
    private final StorageAccess storage;
    private final TransferLinks links;
    private final String publicBase;

    /**
     * Delegates to {@code storage} and links through {@code links} under {@code publicBase} (an
     * absolute http(s) URL; {@code null} to make no links).
     */
    public LinkingStorageAccess(StorageAccess storage, TransferLinks links, URI publicBase) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.links = Objects.requireNonNull(links, "links");
        String base = publicBase == null ? null : publicBase.toString();
        this.publicBase = base != null && base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public ObjectInfo stat(URI location) {
        return storage.stat(location);
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        return storage.open(location, range);
    }

    @Override
    public Optional<URI> presignGet(URI location, Duration lifetime) {
        return storage.presignGet(location, lifetime);
    }

    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        return storage.write(location, data, length, contentType);
    }

    @Override
    public Optional<URI> transferLink(URI location, Duration lifetime) {
        if (publicBase == null) {
            return Optional.empty();
        }
        // Fails now, naming the installed drivers, rather than when a pod follows the link.
        storage.stat(location);
        return Optional.of(URI.create(publicBase + Routes.COMPUTE_TRANSFER + "/" + links.create(location, lifetime)));
    }

    @Override
    public Optional<URI> uploadLink(URI prefix, Duration lifetime, long maxBytes) {
        if (!prefix.toString().endsWith("/")) {
            throw new IllegalArgumentException("an upload prefix must end with /");
        }
        if (publicBase == null) {
            return Optional.empty();
        }
        return Optional.of(
                URI.create(publicBase + Routes.COMPUTE_UPLOAD + "/" + links.createUpload(prefix, lifetime, maxBytes)));
    }

    @Override
    public void delete(URI location) {
        storage.delete(location);
    }
}
