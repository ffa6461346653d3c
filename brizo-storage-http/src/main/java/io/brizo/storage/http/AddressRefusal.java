package io.brizo.storage.http;

import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * Marks the exceptions thrown when {@link AddressPolicy} refuses an address, so that the driver
 * can tell a refusal from a network failure however deeply OkHttp wraps or suppresses it. The
 * messages never name the address or host: they may end up in logs.
 */
interface AddressRefusal {
    /** Thrown by {@link GuardedDns} when every address of a host name is refused. */
    final class RefusedHostException extends UnknownHostException implements AddressRefusal {
        private static final long serialVersionUID = 1L;

        RefusedHostException() {
            super("every address of the host is refused by the address policy");
        }
    }

    /** Thrown by a {@link GuardedSocketFactory} socket before it connects to a refused address. */
    final class RefusedConnectException extends ConnectException implements AddressRefusal {
        private static final long serialVersionUID = 1L;

        RefusedConnectException() {
            super("the address is refused by the address policy; no connection was attempted");
        }
    }

    /** {@return whether {@code t}, its causes or suppressed exceptions include a refusal} */
    static boolean isRefusal(Throwable t) {
        return find(t, 0);
    }

    private static boolean find(Throwable t, int depth) {
        if (t == null || depth > 16) {
            return false;
        }
        if (t instanceof AddressRefusal) {
            return true;
        }
        for (Throwable s : t.getSuppressed()) {
            if (find(s, depth + 1)) {
                return true;
            }
        }
        return t.getCause() != t && find(t.getCause(), depth + 1);
    }
}
