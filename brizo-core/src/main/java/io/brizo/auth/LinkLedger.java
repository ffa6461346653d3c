package io.brizo.auth;

import io.brizo.internal.compute.links.InMemoryLinkLedger;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the stateless transfer and upload links of compute pods need to share: which single-use
 * links were redeemed, and how much of each upload link's allowance was used. The links themselves
 * are sealed tokens that any server with the same {@code BRIZO_LINK_KEYS} can open; the ledger
 * makes "once" and "at most so many bytes" hold across every server that shares it.
 *
 * <p>Ids are random, URL-safe strings of at most 64 characters, unique per link. An entry is
 * needed only until its link's expiry; implementations may forget it afterwards (a link past its
 * expiry is refused before the ledger is asked).
 *
 * <p>Implementations must be safe for concurrent use and decide atomically, also across the
 * servers that share them. They fail closed: when the shared state cannot be read or written,
 * throw a retryable {@link io.brizo.spi.BrizoException} of kind {@link
 * io.brizo.spi.ErrorKind#UNAVAILABLE} (503 over HTTP), and never redeem a link twice.
 *
 * <p>A ledger shared by several servers (a database) is found through {@link Factory} with
 * {@link io.brizo.Brizo.Builder#discover()}, like nonce stores; without one, links are counted in
 * this server's memory.
 */
public interface LinkLedger extends AutoCloseable {

    /**
     * Redeems the single-use link {@code id}: of any number of calls with one id, on any server
     * sharing the ledger, exactly one returns {@code true}.
     *
     * @param expires the link's expiry; the entry may be forgotten after it
     */
    boolean redeemOnce(String id, Instant expires);

    /** {@return whether the single-use link {@code id} was redeemed} For HEAD, which must not redeem. */
    boolean redeemed(String id);

    /**
     * Reserves one file of {@code bytes} of the upload link {@code id}'s allowance, if the link has
     * written fewer than {@code maxFiles} files and {@code bytes} fit in what is left of {@code
     * maxBytes}.
     *
     * @return whether it was granted, with what the link has used: after the reservation if it was
     *     granted, else as it was
     */
    Usage reserve(String id, long bytes, long maxBytes, int maxFiles, Instant expires);

    /** Gives back one file and {@code bytes} that {@link #reserve} granted, for an upload that failed. */
    void release(String id, long bytes);

    /** What an upload link has used of its allowance, and whether a reservation was granted. */
    record Usage(boolean granted, long bytes, int files) {}

    /** Releases the ledger's resources. The default does nothing. */
    @Override
    default void close() {}

    /**
     * {@return a ledger in this server's memory, holding at most {@code capacity} live entries}
     * Redemptions are forgotten on restart, and are not seen by other servers.
     */
    static LinkLedger inMemory(int capacity) {
        return new InMemoryLinkLedger(java.time.Clock.systemUTC(), capacity);
    }

    /**
     * Creates a {@link LinkLedger} from settings; found through {@link java.util.ServiceLoader}. With
     * {@link io.brizo.Brizo.Builder#discover()}, and no ledger passed to {@link
     * io.brizo.Brizo.Builder#linkLedger(LinkLedger)}, the first factory (by priority, highest first,
     * then by name) whose settings are set makes the ledger; if none does, memory is used. The
     * facade closes a ledger a factory made.
     */
    interface Factory {
        /** {@return the ledger's name, such as {@code postgres}} */
        String name();

        /**
         * {@return the ledger, or empty if the settings do not configure it here}
         *
         * @throws io.brizo.spi.BrizoException of kind CONFIGURATION when its settings are set but
         *     wrong; of kind UNAVAILABLE when the ledger cannot be reached at start
         */
        Optional<LinkLedger> create(Settings settings);

        /** {@return the selection priority when several are configured; higher wins} */
        default int priority() {
            return 0;
        }

        /** {@return the settings this factory understands} */
        default List<SettingKey> settingKeys() {
            return List.of();
        }
    }
}
