package io.brizo.internal.compute.links;

import io.brizo.auth.LinkLedger;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link LinkLedger} in a concurrent map of this process: atomic, but forgotten on restart and
 * not shared with other servers. Holds at most {@code capacity} live entries; expired ones are
 * purged when it is full.
 */
public final class InMemoryLinkLedger implements LinkLedger {
    /** How many live entries an instance holds by default. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final Clock clock;
    private final int capacity;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A redeemed link, or an upload link's usage. */
    private static final class Entry {
        final Instant expires;
        long bytes;
        int files;

        Entry(Instant expires) {
            this.expires = expires;
        }
    }

    /** Holds up to {@code capacity} live entries, telling expiry by {@code clock}. */
    public InMemoryLinkLedger(Clock clock, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = capacity;
    }

    @Override
    public boolean redeemOnce(String id, Instant expires) {
        if (entries.containsKey(id)) {
            return false; // redeemed already; a full ledger must not answer otherwise
        }
        admit();
        return entries.putIfAbsent(id, new Entry(expires)) == null;
    }

    @Override
    public boolean redeemed(String id) {
        return entries.containsKey(id);
    }

    @Override
    public Usage reserve(String id, long bytes, long maxBytes, int maxFiles, Instant expires) {
        Entry entry = entries.get(id);
        if (entry == null) {
            admit();
            entry = entries.computeIfAbsent(id, k -> new Entry(expires));
        }
        synchronized (entry) {
            if (entry.files >= maxFiles || bytes > maxBytes - entry.bytes) {
                return new Usage(false, entry.bytes, entry.files);
            }
            entry.bytes += bytes;
            entry.files++;
            return new Usage(true, entry.bytes, entry.files);
        }
    }

    @Override
    public void release(String id, long bytes) {
        Entry entry = entries.get(id);
        if (entry != null) {
            synchronized (entry) {
                entry.bytes = Math.max(0, entry.bytes - bytes);
                entry.files = Math.max(0, entry.files - 1);
            }
        }
    }

    /** {@return how many entries are held, expired ones not yet purged included} */
    public int size() {
        return entries.size();
    }

    /** Makes room for one entry, or refuses retryably. */
    private void admit() {
        if (entries.size() >= capacity) {
            Instant now = clock.instant();
            entries.values().removeIf(e -> !now.isBefore(e.expires));
            if (entries.size() >= capacity) {
                // The bound keeps a flood of redemptions from growing the heap without limit.
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, "too many transfer links are outstanding; try again later", null, true);
            }
        }
    }

    @Override
    public String toString() {
        return "InMemoryLinkLedger";
    }
}
