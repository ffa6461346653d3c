package io.brizo.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a storage service knows about an object. Immutable; build it with {@link #builder(long)}.
 */
public final class ObjectInfo {
    private final long size;
    private final String contentType;
    private final String etag;
    private final String md5;
    private final Instant lastModified;

    private ObjectInfo(Builder b) {
        this.size = b.size;
        this.contentType = b.contentType;
        this.etag = b.etag;
        this.md5 = b.md5;
        this.lastModified = b.lastModified;
    }

    /** {@return a builder for an object of {@code size} bytes} */
    public static Builder builder(long size) {
        return new Builder(size);
    }

    /** {@return the size in bytes} */
    public long size() {
        return size;
    }

    /** {@return the content type the store reports, if any} */
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** {@return the store's entity tag, if any} */
    public Optional<String> etag() {
        return Optional.ofNullable(etag);
    }

    /** {@return the MD5 of the content as lowercase hex, if the store knows it} */
    public Optional<String> md5() {
        return Optional.ofNullable(md5);
    }

    /** {@return when the object last changed, if known} */
    public Optional<Instant> lastModified() {
        return Optional.ofNullable(lastModified);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectInfo i
                && i.size == size
                && Objects.equals(i.contentType, contentType)
                && Objects.equals(i.etag, etag)
                && Objects.equals(i.md5, md5)
                && Objects.equals(i.lastModified, lastModified);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, contentType, etag, md5, lastModified);
    }

    @Override
    public String toString() {
        return "ObjectInfo{size=" + size + ", contentType=" + contentType + ", etag=" + etag + ", md5=" + md5
                + ", lastModified=" + lastModified + "}";
    }

    /** Builds {@link ObjectInfo}. */
    public static final class Builder {
        private final long size;
        private String contentType;
        private String etag;
        private String md5;
        private Instant lastModified;

        private Builder(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("size must be >= 0");
            }
            this.size = size;
        }

        /** Sets the content type; null means unknown. */
        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        /** Sets the entity tag; null means unknown. */
        public Builder etag(String etag) {
            this.etag = etag;
            return this;
        }

        /** Sets the MD5 as hex; null means unknown. */
        public Builder md5(String md5) {
            this.md5 = md5;
            return this;
        }

        /** Sets the last modification time; null means unknown. */
        public Builder lastModified(Instant lastModified) {
            this.lastModified = lastModified;
            return this;
        }

        /** {@return the info} */
        public ObjectInfo build() {
            return new ObjectInfo(this);
        }
    }
}
