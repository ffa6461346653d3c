package io.brizo.testkit.builtin;

import io.brizo.auth.NonceStore;
import io.brizo.testkit.NonceStoreContract;

/** Runs the nonce store contract against the built-in memory-only store, which forgets on restart. */
class InMemoryNonceStoreContractTest extends NonceStoreContract {
    @Override
    protected NonceStore createStore() {
        return NonceStore.inMemory();
    }
}
