package io.brizo.state.postgres;

import io.brizo.auth.NonceStore;
import io.brizo.spi.Settings;
import io.brizo.testkit.NonceStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The testkit's NonceStore contract against a real PostgreSQL: each store gets a new database. */
class PostgresNonceStoreContractTest extends NonceStoreContract {
    static PostgresServer server;

    String database;

    @BeforeAll
    static void startServer() throws Exception {
        server = PostgresServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected NonceStore createStore() throws Exception {
        database = server.createDatabase();
        return open();
    }

    @Override
    protected boolean survivesRestart() {
        return true;
    }

    @Override
    protected NonceStore reopen(NonceStore store) {
        store.close();
        return open();
    }

    private NonceStore open() {
        return PostgresNonceStore.open(
                Settings.builder().putAll(server.settings(database)).build());
    }
}
