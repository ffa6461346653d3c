package io.brizo.internal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every {@link NonceStore} must do; each implementation's test extends this. */
abstract class NonceStoreContract {
    static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static final String BOB = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    static final int THREADS = 32;

    private final List<NonceStore> opened = new ArrayList<>();

    /** {@return a new, empty store} */
    abstract NonceStore createStore() throws Exception;

    NonceStore newStore() throws Exception {
        NonceStore store = createStore();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(NonceStore::close);
    }

    @Test
    void firstNonceOfAnAddressIsAccepted() throws Exception {
        assertTrue(newStore().tryAccept(ALICE, 1_700_000_000_000L));
    }

    @Test
    void onlyStrictlyGreaterNoncesAreAccepted() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE, 5));
        assertFalse(store.tryAccept(ALICE, 5));
        assertFalse(store.tryAccept(ALICE, 4));
        assertTrue(store.tryAccept(ALICE, 6));
        assertTrue(store.tryAccept(ALICE, 1000));
        assertFalse(store.tryAccept(ALICE, 999));
        assertFalse(store.tryAccept(ALICE, 1000));
    }

    @Test
    void addressesAreComparedCaseInsensitively() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE.toUpperCase(Locale.ROOT).replace("0X", "0x"), 7));
        assertFalse(store.tryAccept(ALICE, 7));
        assertFalse(store.tryAccept("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 7));
        assertTrue(store.tryAccept("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 8));
        assertFalse(store.tryAccept(ALICE, 8));
    }

    @Test
    void eachAddressHasItsOwnSequence() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE, 100));
        assertTrue(store.tryAccept(BOB, 1));
        assertTrue(store.tryAccept(BOB, 2));
        assertFalse(store.tryAccept(ALICE, 2));
    }

    @Test
    void extremeNoncesAreOrderedAsSignedLongs() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE, Long.MIN_VALUE));
        assertTrue(store.tryAccept(ALICE, 0));
        assertTrue(store.tryAccept(ALICE, Long.MAX_VALUE));
        assertFalse(store.tryAccept(ALICE, Long.MAX_VALUE));
    }

    @Test
    void malformedAddressIsInvalidRequest() throws Exception {
        NonceStore store = newStore();
        for (String address : new String[] {null, "", "alice", ALICE + "0", ALICE + "\n0x00 1"}) {
            BrizoException e = assertThrows(BrizoException.class, () -> store.tryAccept(address, 1));
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        }
    }

    @Test
    void sameNonceTwiceConcurrentlyPassesOnce() throws Exception {
        NonceStore store = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (long nonce = 1; nonce <= 20; nonce++) {
                CountDownLatch ready = new CountDownLatch(THREADS);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    long n = nonce;
                    // alternate spellings of one address, so normalisation is raced as well
                    String address =
                            t % 2 == 0 ? ALICE : ALICE.toUpperCase(Locale.ROOT).replace("0X", "0x");
                    results.add(pool.submit(() -> {
                        ready.countDown();
                        start.await();
                        return store.tryAccept(address, n);
                    }));
                }
                ready.await();
                start.countDown();
                int passed = 0;
                for (Future<Boolean> result : results) {
                    if (result.get(30, TimeUnit.SECONDS)) {
                        passed++;
                    }
                }
                assertEquals(1, passed, "nonce " + nonce);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void racingIncreasingNoncesAreEachAcceptedAtMostOnce() throws Exception {
        NonceStore store = newStore();
        int maxNonce = 200;
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    List<Long> accepted = new ArrayList<>();
                    for (long n = 1; n <= maxNonce; n++) {
                        if (store.tryAccept(BOB, n)) {
                            accepted.add(n);
                        }
                    }
                    return accepted;
                }));
            }
            ready.await();
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> result : results) {
                for (long n : result.get(60, TimeUnit.SECONDS)) {
                    assertTrue(all.add(n), "nonce " + n + " was accepted twice");
                }
            }
            // whoever reached the largest nonce first must have been accepted
            assertTrue(all.contains((long) maxNonce));
            assertFalse(store.tryAccept(BOB, maxNonce));
        } finally {
            pool.shutdownNow();
        }
    }
}
