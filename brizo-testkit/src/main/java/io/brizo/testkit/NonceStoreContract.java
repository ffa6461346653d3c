package io.brizo.testkit;

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

/**
 * The behaviour every {@link NonceStore} must have, as a JUnit 5 test class to extend.
 *
 * <p>A subclass implements {@link #createStore()}, which opens a new, empty store over storage of
 * its own (a file in a temporary directory, a fresh table or key prefix). A store that keeps its
 * nonces across restarts says so with {@link #survivesRestart()} and implements {@link
 * #reopen(NonceStore)}; a memory-only store overrides neither. The suite closes every store it
 * opened after each test.
 *
 * <p>The suite checks: nonces accepted strictly increasing per address, addresses compared
 * case-insensitively, each address with its own sequence, signed-long ordering, malformed
 * addresses refused as INVALID_REQUEST, 50 concurrent requests with one nonce letting exactly one
 * pass, racing and independent concurrent sequences, and a restart: accepted nonces are refused
 * after it if {@link #survivesRestart()} says so, and forgotten otherwise. It takes about a second
 * for a store on a local disk.
 *
 * <pre>{@code
 * class RedisNonceStoreContractTest extends NonceStoreContract {
 *     static RedisServer redis = RedisServer.start();
 *     final String prefix = "test-" + UUID.randomUUID() + ":";
 *
 *     protected NonceStore createStore() { return new RedisNonceStore(redis.uri(), prefix); }
 *     protected boolean survivesRestart() { return true; }
 *     protected NonceStore reopen(NonceStore store) {
 *         store.close();
 *         return new RedisNonceStore(redis.uri(), prefix);
 *     }
 * }
 * }</pre>
 */
public abstract class NonceStoreContract {
    /** An address, in the lower-case form. */
    protected static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    /** Another address, in the lower-case form. */
    protected static final String BOB = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    /** How many requests race for one nonce. */
    protected static final int CONCURRENT_REQUESTS = 50;

    private final List<NonceStore> opened = new ArrayList<>();

    /** Creates the suite; subclasses set up their storage in constructors or lifecycle methods. */
    protected NonceStoreContract() {}

    /**
     * {@return a new, empty store} Each call gets storage of its own: nonces accepted by one store
     * are unknown to the next. The suite closes the store after the test.
     *
     * @throws Exception if the store cannot be opened; the test fails with it
     */
    protected abstract NonceStore createStore() throws Exception;

    /**
     * {@return whether accepted nonces survive a restart, that is {@link #reopen(NonceStore)}}
     * The default is {@code false}, for a memory-only store: the suite then checks that a restart
     * forgets them, so a store that does keep them must say so.
     */
    protected boolean survivesRestart() {
        return false;
    }

    /**
     * Restarts a store: closes {@code store} and opens a new one over the same storage, as a
     * server does when it restarts. The default closes {@code store} and returns {@link
     * #createStore()}, which is a restart for a memory-only store; a store that {@link
     * #survivesRestart() survives restarts} must override it.
     *
     * @param store a store from {@link #createStore()} or from this method; close it here, since
     *     the storage may refuse a second store while the first is open
     * @return the store after the restart; the suite closes it
     * @throws Exception if the store cannot be reopened; the test fails with it
     */
    protected NonceStore reopen(NonceStore store) throws Exception {
        store.close();
        return createStore();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(NonceStore::close);
        opened.clear();
    }

    @Test
    void firstNonceOfAnAddressIsAccepted() throws Exception {
        assertTrue(newStore().tryAccept(ALICE, 1_700_000_000_000L));
    }

    @Test
    void onlyStrictlyGreaterNoncesAreAccepted() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE, 5));
        assertFalse(store.tryAccept(ALICE, 5), "the same nonce again");
        assertFalse(store.tryAccept(ALICE, 4), "a smaller nonce");
        assertTrue(store.tryAccept(ALICE, 6));
        assertTrue(store.tryAccept(ALICE, 1000), "a gap is allowed");
        assertFalse(store.tryAccept(ALICE, 999), "a nonce inside the gap");
        assertFalse(store.tryAccept(ALICE, 1000));
    }

    @Test
    void addressesAreComparedCaseInsensitively() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(upperCase(ALICE), 7));
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
        for (String address : new String[] {null, "", "alice", "0x1234", ALICE + "0", ALICE + "\n0x00 1"}) {
            BrizoException e = assertThrows(
                    BrizoException.class, () -> store.tryAccept(address, 1), "address " + printable(address));
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), "kind of " + e);
        }
        assertTrue(store.tryAccept(ALICE, 1), "refused addresses recorded nothing");
    }

    @Test
    void fiftyConcurrentRequestsWithOneNonceLetExactlyOnePass() throws Exception {
        NonceStore store = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_REQUESTS);
        try {
            for (long nonce = 1; nonce <= 20; nonce++) {
                CountDownLatch ready = new CountDownLatch(CONCURRENT_REQUESTS);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < CONCURRENT_REQUESTS; t++) {
                    long n = nonce;
                    // alternate spellings of one address, so normalisation is raced as well
                    String address = t % 2 == 0 ? ALICE : upperCase(ALICE);
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
                assertEquals(1, passed, "requests that passed with nonce " + nonce);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void racingIncreasingNoncesAreEachAcceptedAtMostOnce() throws Exception {
        NonceStore store = newStore();
        int maxNonce = 200;
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_REQUESTS);
        try {
            CountDownLatch ready = new CountDownLatch(CONCURRENT_REQUESTS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < CONCURRENT_REQUESTS; t++) {
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
            assertTrue(all.contains((long) maxNonce), "the largest nonce was accepted");
            assertFalse(store.tryAccept(BOB, maxNonce));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentSequencesOfDifferentAddressesDoNotInterfere() throws Exception {
        NonceStore store = newStore();
        int perAddress = 5;
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_REQUESTS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < CONCURRENT_REQUESTS; t++) {
                String address = String.format("0x%040x", 0xabc000L + t);
                results.add(pool.submit(() -> {
                    start.await();
                    for (long n = 1; n <= perAddress; n++) {
                        assertTrue(store.tryAccept(address, n), address + " nonce " + n);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
            for (int t = 0; t < CONCURRENT_REQUESTS; t++) {
                assertFalse(store.tryAccept(String.format("0x%040x", 0xabc000L + t), perAddress));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void acceptedNoncesSurviveARestartExactlyWhenTheStoreSaysSo() throws Exception {
        NonceStore store = newStore();
        assertTrue(store.tryAccept(ALICE, 41));
        assertTrue(store.tryAccept(ALICE, 42));
        assertTrue(store.tryAccept(BOB, 7));
        NonceStore restarted = restart(store);
        if (survivesRestart()) {
            String hint = " after a restart (survivesRestart() is true; does reopen(store) open the same storage?)";
            assertFalse(restarted.tryAccept(ALICE, 42), "a replayed nonce was accepted" + hint);
            assertFalse(restarted.tryAccept(ALICE, 41), "an older nonce was accepted" + hint);
            assertFalse(restarted.tryAccept(BOB, 7), "a replayed nonce was accepted" + hint);
            assertTrue(restarted.tryAccept(ALICE, 43), "the next nonce" + hint);
            NonceStore again = restart(restarted);
            assertFalse(again.tryAccept(ALICE, 43), "a nonce accepted after the first restart, after a second");
            assertFalse(again.tryAccept(BOB, 7), "a nonce accepted before the first restart, after a second");
            assertTrue(again.tryAccept(BOB, 8), "the next nonce after a second restart");
        } else {
            String hint = " after a restart, yet survivesRestart() is false: a store that keeps its nonces must say so";
            assertTrue(restarted.tryAccept(ALICE, 42), "a nonce was remembered" + hint);
            assertTrue(restarted.tryAccept(BOB, 7), "a nonce was remembered" + hint);
            assertFalse(restarted.tryAccept(ALICE, 42), "the restarted store orders nonces again");
        }
    }

    private NonceStore newStore() throws Exception {
        NonceStore store = createStore();
        opened.add(store);
        return store;
    }

    private NonceStore restart(NonceStore store) throws Exception {
        opened.remove(store); // reopen closes it
        NonceStore restarted = reopen(store);
        opened.add(restarted);
        return restarted;
    }

    private static String upperCase(String address) {
        return "0x" + address.substring(2).toUpperCase(Locale.ROOT);
    }

    private static String printable(String s) {
        return s == null ? "null" : "'" + s.replace("\n", "\\n") + "'";
    }
}
