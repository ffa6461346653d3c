package io.brizo.testkit.builtin;

import io.brizo.auth.NonceStore;
import io.brizo.testkit.NonceStoreContract;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** Runs the nonce store contract against the built-in journal file store in a temporary directory. */
class FileNonceStoreContractTest extends NonceStoreContract {
    @TempDir
    Path dir;

    private final Map<NonceStore, Path> files = new IdentityHashMap<>();
    private int created;

    @Override
    protected NonceStore createStore() {
        Path file = dir.resolve("store-" + created++ + ".nonces");
        return open(file);
    }

    @Override
    protected boolean survivesRestart() {
        return true;
    }

    @Override
    protected NonceStore reopen(NonceStore store) {
        Path file = files.remove(store);
        store.close(); // the journal is locked while open
        return open(file);
    }

    private NonceStore open(Path file) {
        NonceStore store = NonceStore.file(file);
        files.put(store, file);
        return store;
    }
}
