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
 * A registry of single-use, short-lived transfer tokens, each bound to one storage location. The
 * token is the whole capability: whoever presents it first, before it expires, reads the object
 * once; later, unknown and expired tokens read nothing.
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

    private record Link(URI location, Instant expires) {}

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
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        if (links.size() >= capacity) {
            purgeExpired();
            if (links.size() >= capacity) {
                // The bound keeps a flood of job starts from growing the heap without limit.
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, "too many transfer links are outstanding; try again later", null, true);
            }
        }
        Link link = new Link(location, clock.instant().plus(lifetime));
        while (true) {
            byte[] bytes = new byte[TOKEN_BYTES];
            random.nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (links.putIfAbsent(token, link) == null) {
                return token;
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

    /** {@return how many tokens are held, expired ones not yet purged included} */
    public int size() {
        return links.size();
    }

    /** Forgets every expired token. */
    public void purgeExpired() {
        Instant now = clock.instant();
        links.values().removeIf(l -> !now.isBefore(l.expires()));
    }
}
