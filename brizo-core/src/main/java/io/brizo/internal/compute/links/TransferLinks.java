package io.brizo.internal.compute.links;

import io.brizo.auth.LinkLedger;
import io.brizo.spi.BrizoException;
import java.net.URI;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Short-lived transfer tokens, stateless: each token is its own record, sealed with AES-256-GCM
 * under {@link LinkKeys}, so any server with the same keys can open it. A download token carries
 * one storage location (encrypted: the location is the secret) and reads it once: whoever presents
 * it first, before it expires, reads the object; later, tampered, foreign and expired tokens read
 * nothing. An upload token carries a location prefix and an allowance, and lets its holder write
 * objects under that prefix until it expires, up to a number of bytes and files. Either token is
 * the whole capability.
 *
 * <p>"Once" and the allowance are kept in a {@link LinkLedger}: in memory by default, shared by
 * every replica when the ledger is (a database). Thread-safe.
 */
public final class TransferLinks {
    /** Most files one upload token may write. */
    public static final int MAX_UPLOAD_FILES = 1000;

    private static final byte VERSION = 1;
    private static final byte DOWNLOAD = 'T';
    private static final byte UPLOAD = 'U';
    private static final int ID_BYTES = 16;
    // A token is URL-safe base64 without padding; the bound keeps a hostile one from costing much.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{40,8192}");

    private final LinkKeys keys;
    private final LinkLedger ledger;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** A random key of this process and a ledger in its memory, on the system clock. */
    public TransferLinks() {
        this(Clock.systemUTC(), InMemoryLinkLedger.DEFAULT_CAPACITY);
    }

    /** A random key of this process and a ledger in its memory of {@code capacity} entries, on {@code clock}. */
    public TransferLinks(Clock clock, int capacity) {
        this(LinkKeys.random(), new InMemoryLinkLedger(clock, capacity), clock);
    }

    /** Seals with {@code keys}, keeps single use and allowances in {@code ledger}, tells expiry by {@code clock}. */
    public TransferLinks(LinkKeys keys, LinkLedger ledger, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a token says, once opened. */
    private record Claims(byte kind, Instant expires, String id, long maxBytes, URI location) {}

    /** {@return a new token that reads {@code location} once within {@code lifetime}} */
    public String create(URI location, Duration lifetime) {
        Objects.requireNonNull(location, "location");
        return seal(DOWNLOAD, expiry(lifetime), 0, location);
    }

    /**
     * {@return a new token that lets its holder write objects under {@code prefix} within {@code
     * lifetime}: at most {@code maxBytes} in all and {@value #MAX_UPLOAD_FILES} files}
     */
    public String createUpload(URI prefix, Duration lifetime, long maxBytes) {
        Objects.requireNonNull(prefix, "prefix");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative");
        }
        return seal(UPLOAD, expiry(lifetime), maxBytes, prefix);
    }

    private Instant expiry(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        return clock.instant().plus(lifetime);
    }

    private String seal(byte kind, Instant expires, long maxBytes, URI location) {
        byte[] id = new byte[ID_BYTES];
        random.nextBytes(id);
        byte[] uri = location.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer plain = ByteBuffer.allocate(2 + 8 + ID_BYTES + 8 + uri.length);
        plain.put(VERSION)
                .put(kind)
                .putLong(expires.toEpochMilli())
                .put(id)
                .putLong(maxBytes)
                .put(uri);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(keys.seal(plain.array()));
    }

    /** {@return the claims of a well-formed, authentic, unexpired token of {@code kind}} */
    private Optional<Claims> open(String token, byte kind) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        byte[] sealed;
        try {
            sealed = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(sealed).equals(token)) {
            return Optional.empty(); // one token, one spelling: a changed last character is tampering too
        }
        return keys.open(sealed).flatMap(plain -> {
            try {
                ByteBuffer b = ByteBuffer.wrap(plain);
                if (b.get() != VERSION || b.get() != kind) {
                    return Optional.empty();
                }
                Instant expires = Instant.ofEpochMilli(b.getLong());
                byte[] id = new byte[ID_BYTES];
                b.get(id);
                long maxBytes = b.getLong();
                String uri = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(b)
                        .toString();
                if (!clock.instant().isBefore(expires)) {
                    return Optional.empty();
                }
                return Optional.of(new Claims(
                        kind,
                        expires,
                        Base64.getUrlEncoder().withoutPadding().encodeToString(id),
                        maxBytes,
                        URI.create(uri)));
            } catch (BufferUnderflowException | CharacterCodingException | IllegalArgumentException e) {
                return Optional.empty(); // sealed by us, so never; but never a 500 either
            }
        });
    }

    /**
     * Reserves {@code length} bytes and one file of an upload token's allowance.
     *
     * @return the token's prefix, or empty if the token is malformed, tampered, foreign or expired
     * @throws BrizoException of kind INVALID_REQUEST if the allowance does not cover the file; of
     *     kind UNAVAILABLE if the ledger cannot be reached
     */
    public Optional<URI> reserveUpload(String token, long length) {
        if (length < 0) {
            return Optional.empty();
        }
        Optional<Claims> claims = open(token, UPLOAD);
        if (claims.isEmpty()) {
            return Optional.empty();
        }
        Claims c = claims.get();
        LinkLedger.Usage usage = ledger.reserve(c.id(), length, c.maxBytes(), MAX_UPLOAD_FILES, c.expires());
        if (!usage.granted()) {
            if (usage.files() >= MAX_UPLOAD_FILES) {
                throw BrizoException.invalid("this upload link allows at most " + MAX_UPLOAD_FILES
                        + " files; write fewer outputs (for example, one archive)");
            }
            throw BrizoException.invalid("this upload link allows " + c.maxBytes() + " bytes in all and has "
                    + Math.max(0, c.maxBytes() - usage.bytes()) + " left; write smaller outputs");
        }
        return Optional.of(c.location());
    }

    /** Gives back what {@link #reserveUpload} took for a file whose upload failed. */
    public void releaseUpload(String token, long length) {
        open(token, UPLOAD).ifPresent(c -> ledger.release(c.id(), length));
    }

    /**
     * Uses up {@code token}: of any number of concurrent callers, on every server sharing the
     * ledger, at most one gets the location.
     *
     * @return the token's location, or empty if the token is malformed, tampered, foreign, used or
     *     expired
     * @throws BrizoException of kind UNAVAILABLE if the ledger cannot be reached (nothing redeemed)
     */
    public Optional<URI> consume(String token) {
        return open(token, DOWNLOAD)
                .filter(c -> ledger.redeemOnce(c.id(), c.expires()))
                .map(Claims::location);
    }

    /**
     * {@return the location of {@code token} without using it up, or empty if the token is
     * malformed, tampered, foreign, used or expired} For a HEAD request, which must not spend a
     * single-use link.
     *
     * @throws BrizoException of kind UNAVAILABLE if the ledger cannot be reached
     */
    public Optional<URI> peek(String token) {
        return open(token, DOWNLOAD).filter(c -> !ledger.redeemed(c.id())).map(Claims::location);
    }

    /** {@return whether the keys are a random key of this process (links die with it)} */
    public boolean randomKey() {
        return keys.isRandom();
    }
}
