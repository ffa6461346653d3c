package io.brizo.internal.compute.links;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A registry of short-lived transfer tokens. A download token is bound to one storage location
 * and reads it once: whoever presents it first, before it expires, reads the object; later,
 * unknown and expired tokens read nothing. An upload token is bound to a location prefix and lets
 * its holder write objects under that prefix until it expires, up to a number of bytes and files.
 * Either token is the whole capability.
 *
 * <p>Tokens live only in the memory of this instance, that is of the serving replica: a setup with
 * several replicas needs sticky routing of the links to the replica that made them, or storage
 * that can presign. Thread-safe.
 */
public final class TransferLinks {
    /** How many live tokens an instance holds by default. */
    public static final int DEFAULT_CAPACITY = 10_000;

    // 32 random bytes: 256 bits, unguessable; URL-safe base64 without padding is 43 characters.
    private static final int TOKEN_BYTES = 32;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Clock clock;
    private final int capacity;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Link> links = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Upload> uploads = new ConcurrentHashMap<>();

    private record Link(URI location, Instant expires) {}

    /** An upload token's prefix, expiry and what it has used of its allowance. */
    private static final class Upload {
        final URI prefix;
        final Instant expires;
        final long maxBytes;
        long bytes;
        int files;

        Upload(URI prefix, Instant expires, long maxBytes) {
            this.prefix = prefix;
            this.expires = expires;
            this.maxBytes = maxBytes;
        }
    }

    /** Most files one upload token may write. */
    public static final int MAX_UPLOAD_FILES = 1000;

    /** Holds up to {@link #DEFAULT_CAPACITY} tokens on the system clock. */
    public TransferLinks() {
        this(Clock.systemUTC(), DEFAULT_CAPACITY);
    }

    /** Holds up to {@code capacity} live tokens, telling expiry by {@code clock}. */
    public TransferLinks(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = capacity;
    }

    /**
     * {@return a new token that reads {@code location} once within {@code lifetime}}
     *
     * @throws BrizoException of kind UNAVAILABLE (retryable) when {@code capacity} live tokens exist
     */
    public String create(URI location, Duration lifetime) {
        Objects.requireNonNull(location, "location");
        return register(links, new Link(location, admit(lifetime)));
    }

    /**
     * {@return a new token that lets its holder write objects under {@code prefix} within {@code
     * lifetime}: at most {@code maxBytes} in all and {@value #MAX_UPLOAD_FILES} files}
     *
     * @throws BrizoException of kind UNAVAILABLE (retryable) when {@code capacity} live tokens exist
     */
    public String createUpload(URI prefix, Duration lifetime, long maxBytes) {
        Objects.requireNonNull(prefix, "prefix");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative");
        }
        return register(uploads, new Upload(prefix, admit(lifetime), maxBytes));
    }

    /** {@return the expiry of a new token of {@code lifetime}, if there is room for one} */
    private Instant admit(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        if (size() >= capacity) {
            purgeExpired();
            if (size() >= capacity) {
                // The bound keeps a flood of job starts from growing the heap without limit.
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, "too many transfer links are outstanding; try again later", null, true);
            }
        }
        return clock.instant().plus(lifetime);
    }

    private <T> String register(ConcurrentHashMap<String, T> map, T value) {
        while (true) {
            byte[] bytes = new byte[TOKEN_BYTES];
            random.nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            // Unique across both kinds, so a token never means two things.
            if (!links.containsKey(token) && !uploads.containsKey(token) && map.putIfAbsent(token, value) == null) {
                return token;
            }
        }
    }

    /**
     * Reserves {@code length} bytes and one file of an upload token's allowance.
     *
     * @return the token's prefix, or empty if the token is malformed, unknown or expired
     * @throws BrizoException of kind INVALID_REQUEST if the allowance does not cover the file
     */
    public Optional<URI> reserveUpload(String token, long length) {
        if (token == null || !TOKEN.matcher(token).matches() || length < 0) {
            return Optional.empty();
        }
        Upload upload = uploads.get(token);
        if (upload == null) {
            return Optional.empty();
        }
        synchronized (upload) {
            if (!clock.instant().isBefore(upload.expires)) {
                uploads.remove(token, upload);
                return Optional.empty();
            }
            if (upload.files >= MAX_UPLOAD_FILES) {
                throw BrizoException.invalid("this upload link allows at most " + MAX_UPLOAD_FILES
                        + " files; write fewer outputs (for example, one archive)");
            }
            if (length > upload.maxBytes - upload.bytes) {
                throw BrizoException.invalid("this upload link allows " + upload.maxBytes + " bytes in all and has "
                        + (upload.maxBytes - upload.bytes) + " left; write smaller outputs");
            }
            upload.bytes += length;
            upload.files++;
            return Optional.of(upload.prefix);
        }
    }

    /** Gives back what {@link #reserveUpload} took for a file whose upload failed. */
    public void releaseUpload(String token, long length) {
        Upload upload = token == null ? null : uploads.get(token);
        if (upload != null) {
            synchronized (upload) {
                upload.bytes = Math.max(0, upload.bytes - length);
                upload.files = Math.max(0, upload.files - 1);
            }
        }
    }

    /**
     * Uses up {@code token}: of any number of concurrent callers at most one gets the location.
     *
     * @return the token's location, or empty if the token is malformed, unknown, used or expired
     */
    public Optional<URI> consume(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        Link link = links.remove(token);
        if (link == null || !clock.instant().isBefore(link.expires())) {
            return Optional.empty();
        }
        return Optional.of(link.location());
    }

    /**
     * {@return the location of {@code token} without using it up, or empty if the token is
     * malformed, unknown, used or expired} For a HEAD request, which must not spend a single-use
     * link.
     */
    public Optional<URI> peek(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        Link link = links.get(token);
        if (link == null || !clock.instant().isBefore(link.expires())) {
            return Optional.empty();
        }
        return Optional.of(link.location());
    }

    /** {@return how many tokens are held, expired ones not yet purged included} */
    public int size() {
        return links.size() + uploads.size();
    }

    /** Forgets every expired token. */
    public void purgeExpired() {
        Instant now = clock.instant();
        links.values().removeIf(l -> !now.isBefore(l.expires()));
        uploads.values().removeIf(u -> !now.isBefore(u.expires));
    }
}
