package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link NonceStore} in a concurrent map: atomic, but forgotten when the process ends. */
public final class InMemoryNonceStore implements NonceStore {
    private final ConcurrentHashMap<String, Long> lastAccepted = new ConcurrentHashMap<>();

    /** Creates an empty store. */
    public InMemoryNonceStore() {}

    @Override
    public boolean tryAccept(String address, long nonce) {
        String key = Eip191.normaliseAddress(address);
        boolean[] accepted = {false};
        // compute() runs under the bin lock, so the compare and the update are one atomic step
        lastAccepted.compute(key, (k, last) -> {
            if (last == null || nonce > last) {
                accepted[0] = true;
                return nonce;
            }
            return last;
        });
        return accepted[0];
    }
}
