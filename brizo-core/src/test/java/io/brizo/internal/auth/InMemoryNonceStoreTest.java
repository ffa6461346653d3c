package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;

class InMemoryNonceStoreTest extends NonceStoreContract {
    @Override
    NonceStore createStore() {
        return NonceStore.inMemory();
    }
}
