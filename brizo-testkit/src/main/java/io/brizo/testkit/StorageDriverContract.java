package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link StorageDriver} must have, as a JUnit 5 test class to extend.
 *
 * <p>A subclass connects the suite to a real store (a server the test starts, a temporary
 * directory) by implementing three hooks: {@link #driver()}, {@link #createObject(String,
 * byte[])} and {@link #missingObject()}. Fixtures are created through the store itself, not
 * through the driver, so a driver cannot pass by agreeing with itself. The subclass owns the
 * driver and the store: it starts and stops them (per test or per class, as is cheapest) and
 * may add tests of its own.
 *
 * <p>The suite checks: {@code supports}, {@code stat} (size, content type), full reads, every
 * kind of byte range (RFC 9110) including clamping and unsatisfiable ranges, empty objects,
 * missing objects (NOT_FOUND, with a message that reveals nothing of the location), a
 * multi-MiB object compared by SHA-256, concurrent reads, closing, and (if the store has
 * credentials) a refusal of access. If the subclass names a {@link #writableLocation(String)
 * writable location}, it also checks {@code write} and {@code delete}; otherwise that both are
 * refused as CONFIGURATION errors. It takes a few seconds per driver.
 *
 * <pre>{@code
 * class MyDriverContractTest extends StorageDriverContract {
 *     static MyServer server = MyServer.start();
 *     MyDriver driver = new MyDriver(server.endpoint());
 *
 *     protected StorageDriver driver() { return driver; }
 *     protected URI createObject(String name, byte[] content) { return server.put(name, content); }
 *     protected URI missingObject() { return server.uriOf("no-such-object"); }
 * }
 * }</pre>
 */
public abstract class StorageDriverContract {
    /** The size of the ordinary test object; large enough for ranges in its middle. */
    protected static final int SMALL = 1000;

    private static final AtomicLong COUNTER = new AtomicLong();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    /** Creates the suite; subclasses set up their store in constructors or lifecycle methods. */
    protected StorageDriverContract() {}

    /**
     * {@return the driver under test} Called several times in each test; return the same
     * instance throughout a test. The suite never closes it.
     */
    protected abstract StorageDriver driver();

    /**
     * Creates an object in the store, without using the driver under test.
     *
     * @param name a unique name of letters, digits, dots and dashes, with an extension such as
     *     {@code .bin} or {@code .txt}, usable as a file name or a URL path segment
     * @param content the object's bytes
     * @return the object's location, as the driver expects it
     * @throws Exception if the store fails; the test fails with it
     */
    protected abstract URI createObject(String name, byte[] content) throws Exception;

    /**
     * {@return a location of this store, in the driver's form, where no object exists}
     *
     * @throws Exception if the store fails; the test fails with it
     */
    protected abstract URI missingObject() throws Exception;

    /**
     * {@return the content type the store reports for an object created with {@code name}, or
     * empty if it reports none or the suite should not check it} The default is empty; a store
     * that maps extensions to types (a web server) or stores a type should say which. Only the
     * media type is compared, without parameters such as {@code charset}, ignoring case.
     */
    protected Optional<String> expectedContentType(String name) {
        return Optional.empty();
    }

    /**
     * {@return a driver and a location of an existing object where the store refuses the
     * driver's credentials, or empty if the store has no credentials} The default is empty, and
     * then the refusal test does not run. The suite never closes the driver.
     *
     * @throws Exception if setting up fails; the test fails with it
     */
    protected Optional<RefusedAccess> refusedAccess() throws Exception {
        return Optional.empty();
    }

    /**
     * {@return a location of this store, in the driver's form, where the suite may write and
     * delete an object named {@code name}, or empty if the driver is read-only} The default is
     * empty: the suite then checks that {@code write} and {@code delete} fail with CONFIGURATION.
     * Nothing may exist at the location yet; a folder in it that does not exist yet is a good
     * test for stores that have folders.
     *
     * @param name a unique name, as {@link #createObject(String, byte[])} gets
     * @throws Exception if the store fails; the test fails with it
     */
    protected Optional<URI> writableLocation(String name) throws Exception {
        return Optional.empty();
    }

    /**
     * A store that refuses the credentials a driver presents.
     *
     * @param driver the driver with wrong or missing credentials
     * @param location an object that exists in the store
     * @param secret text that must not appear in error messages (the wrong secret), or null
     */
    public record RefusedAccess(StorageDriver driver, URI location, String secret) {
        /** Validates the values. */
        public RefusedAccess {
            Objects.requireNonNull(driver, "driver");
            Objects.requireNonNull(location, "location");
        }
    }

    // ---------------------------------------------------------------------------------------
    // supports / stat

    @Test
    void supportsTheLocationsOfItsStore() throws Exception {
        URI existing = createObject(name("supports", ".bin"), content(10, 1));
        assertTrue(driver().supports(existing), "supports() of an object's location");
        assertTrue(driver().supports(missingObject()), "supports() of a missing object's location");
    }

    @Test
    void statReportsTheSize() throws Exception {
        URI uri = createObject(name("stat", ".bin"), content(SMALL, 2));
        assertEquals(SMALL, driver().stat(uri).size());
    }

    @Test
    void statReportsTheContentTypeWhenTheStoreKnowsIt() throws Exception {
        String name = name("typed", ".txt");
        URI uri = createObject(name, "plain text\n".getBytes(StandardCharsets.US_ASCII));
        ObjectInfo info = driver().stat(uri);
        Optional<String> expected = expectedContentType(name);
        if (expected.isPresent()) {
            assertTrue(info.contentType().isPresent(), "the store reports a content type, the driver must too");
            assertEquals(
                    expected.get().toLowerCase(Locale.ROOT),
                    mediaType(info.contentType().get()),
                    "content type of " + name);
        }
        info.contentType()
                .ifPresent(t -> assertTrue(
                        t.indexOf('/') > 0, "a reported content type is a media type such as text/plain, not " + t));
    }

    // ---------------------------------------------------------------------------------------
    // reads and ranges

    @Test
    void fullReadReturnsExactlyTheBytes() throws Exception {
        byte[] content = content(SMALL, 3);
        URI uri = createObject(name("full", ".bin"), content);
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertEquals(new ByteRange.Slice(0, SMALL, SMALL), o.slice());
            assertTrue(o.slice().isWhole());
            assertEquals(SMALL, o.info().size());
            assertArrayEquals(content, readAll(o));
        }
    }

    @Test
    void rangeOfTheFirstBytesReturnsThem() throws Exception {
        assertRange(ByteRange.of(0, 9), 0, 10);
    }

    @Test
    void rangeInTheMiddleReturnsThoseBytes() throws Exception {
        assertRange(ByteRange.of(100, 199), 100, 100);
    }

    @Test
    void suffixRangeReturnsTheLastBytes() throws Exception {
        assertRange(ByteRange.suffix(10), SMALL - 10, 10);
    }

    @Test
    void openEndedRangeReturnsTheRestOfTheObject() throws Exception {
        assertRange(ByteRange.from(990), 990, 10);
    }

    @Test
    void rangeOfTheLastByteReturnsIt() throws Exception {
        assertRange(ByteRange.of(SMALL - 1, SMALL - 1), SMALL - 1, 1);
    }

    @Test
    void rangeOfTheFirstByteReturnsIt() throws Exception {
        assertRange(ByteRange.of(0, 0), 0, 1);
    }

    @Test
    void rangeEndingPastTheEndIsClampedToTheEnd() throws Exception {
        assertRange(ByteRange.of(995, 5000), 995, 5);
    }

    @Test
    void suffixLongerThanTheObjectReturnsTheWholeObject() throws Exception {
        assertRange(ByteRange.suffix(5000), 0, SMALL);
    }

    @Test
    void rangeStartingAtTheEndIsNotSatisfiable() throws Exception {
        URI uri = createObject(name("at-end", ".bin"), content(SMALL, 4));
        assertUnsatisfiable(uri, ByteRange.of(SMALL, SMALL + 10));
        assertUnsatisfiable(uri, ByteRange.from(SMALL));
    }

    @Test
    void rangeStartingPastTheEndIsNotSatisfiable() throws Exception {
        URI uri = createObject(name("past-end", ".bin"), content(SMALL, 5));
        assertUnsatisfiable(uri, ByteRange.of(5000, 6000));
        assertUnsatisfiable(uri, ByteRange.from(5000));
    }

    @Test
    void sliceMatchesTheRequestedRange() throws Exception {
        URI uri = createObject(name("slices", ".bin"), content(SMALL, 6));
        List<ByteRange> ranges = List.of(
                ByteRange.all(),
                ByteRange.of(0, 0),
                ByteRange.of(10, 20),
                ByteRange.of(500, 5000),
                ByteRange.from(0),
                ByteRange.from(999),
                ByteRange.suffix(1),
                ByteRange.suffix(SMALL),
                ByteRange.suffix(SMALL + 1));
        for (ByteRange range : ranges) {
            try (StorageObject o = driver().open(uri, range)) {
                assertEquals(range.resolve(SMALL), o.slice(), "slice of range " + range);
                assertEquals(SMALL, o.info().size(), "object size with range " + range);
                assertEquals(o.slice().length(), readAll(o).length, "bytes read for range " + range);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // empty and missing objects

    @Test
    void zeroLengthObjectHasSizeZeroAndAnEmptyFullRead() throws Exception {
        URI uri = createObject(name("empty", ".bin"), new byte[0]);
        assertEquals(0, driver().stat(uri).size());
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertEquals(new ByteRange.Slice(0, 0, 0), o.slice());
            assertEquals(0, readAll(o).length);
        }
    }

    @Test
    void everyRangeOfAZeroLengthObjectIsNotSatisfiable() throws Exception {
        URI uri = createObject(name("empty-ranges", ".bin"), new byte[0]);
        assertUnsatisfiable(uri, ByteRange.of(0, 0));
        assertUnsatisfiable(uri, ByteRange.of(0, 9));
        assertUnsatisfiable(uri, ByteRange.suffix(1));
        assertUnsatisfiable(uri, ByteRange.from(0));
    }

    @Test
    void missingObjectIsNotFoundOnStat() throws Exception {
        URI missing = missingObject();
        BrizoException e = assertThrows(BrizoException.class, () -> driver().stat(missing));
        assertEquals(ErrorKind.NOT_FOUND, e.kind(), "kind of " + e);
        assertRevealsNothing(e, missing, null);
    }

    @Test
    void missingObjectIsNotFoundOnOpen() throws Exception {
        URI missing = missingObject();
        for (ByteRange range : List.of(ByteRange.all(), ByteRange.of(0, 9))) {
            BrizoException e = assertThrows(
                    BrizoException.class, () -> driver().open(missing, range).close());
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), "kind of " + e);
            assertRevealsNothing(e, missing, null);
        }
    }

    // ---------------------------------------------------------------------------------------
    // large objects, concurrency, closing

    @Test
    void largeObjectReadsBackIdenticalWholeAndInRanges() throws Exception {
        int size = 3 * 1024 * 1024 + 12_345; // not a multiple of any buffer size
        byte[] content = content(size, 7);
        URI uri = createObject(name("large", ".bin"), content);
        assertEquals(size, driver().stat(uri).size());
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertEquals(sha256(content, 0, size), sha256(o.stream(), size));
        }
        int first = 1024 * 1024 - 7;
        int last = 2 * 1024 * 1024 + 7;
        try (StorageObject o = driver().open(uri, ByteRange.of(first, last))) {
            assertEquals(new ByteRange.Slice(first, last - first + 1, size), o.slice());
            assertEquals(sha256(content, first, last - first + 1), sha256(o.stream(), last - first + 1));
        }
    }

    @Test
    void concurrentReadsOfDifferentRangesAreAllCorrect() throws Exception {
        int size = 64 * 1024;
        byte[] content = content(size, 8);
        URI uri = createObject(name("concurrent", ".bin"), content);
        int threads = 8;
        int readsPerThread = 6;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = 100 + t;
            tasks.add(() -> {
                Random random = new Random(seed);
                for (int i = 0; i < readsPerThread; i++) {
                    int first = random.nextInt(size);
                    int last = first + random.nextInt(size - first);
                    try (StorageObject o = driver().open(uri, ByteRange.of(first, last))) {
                        assertArrayEquals(
                                Arrays.copyOfRange(content, first, last + 1),
                                readAll(o),
                                "range " + first + "-" + last);
                    }
                }
                return null;
            });
        }
        Polling.concurrently(tasks, Duration.ofSeconds(60), "a concurrent read");
    }

    @Test
    void openingAndClosingManyTimesLeaksNothing() throws Exception {
        byte[] content = content(SMALL, 9);
        URI uri = createObject(name("reopen", ".bin"), content);
        for (int i = 0; i < 200; i++) {
            int first = (i * 37) % (SMALL - 10);
            try (StorageObject o = driver().open(uri, ByteRange.of(first, first + 9))) {
                // Half of the objects are read to the end, half closed unread: both must release
                // what the driver holds (file handles, connections).
                if (i % 2 == 0) {
                    assertArrayEquals(Arrays.copyOfRange(content, first, first + 10), readAll(o), "read " + i);
                }
            }
        }
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertArrayEquals(content, readAll(o));
        }
    }

    @Test
    void closingTheObjectClosesItsStream() throws Exception {
        URI uri = createObject(name("close", ".bin"), content(SMALL, 10));
        StorageObject o = driver().open(uri, ByteRange.all());
        InputStream stream = o.stream();
        assertTrue(stream.read() >= 0, "the first byte is readable");
        o.close();
        String first = afterClose(() -> stream.read());
        String second = afterClose(() -> stream.read(new byte[16], 0, 16));
        String third = afterClose(() -> stream.read());
        assertEquals(first, second, "reading a closed stream behaves the same way each time");
        assertEquals(first, third, "reading a closed stream behaves the same way each time");
        o.close(); // closing twice is harmless
    }

    @TestFactory
    Stream<DynamicTest> refusedCredentials() throws Exception {
        Optional<RefusedAccess> refused = refusedAccess();
        if (refused.isEmpty()) {
            return Stream.empty(); // the store has no credentials: nothing to run
        }
        RefusedAccess r = refused.get();
        DynamicTest reads = DynamicTest.dynamicTest("refusedCredentialsFailWithoutRevealingThem", () -> {
            for (Executable call : List.<Executable>of(
                    () -> r.driver().stat(r.location()),
                    () -> r.driver().open(r.location(), ByteRange.all()).close())) {
                assertRefused(call, r.location(), r.secret());
            }
        });
        if (writableLocation(name("probe", ".bin")).isEmpty()) {
            return Stream.of(reads);
        }
        // A refused delete must not pass for an idempotent success, and must leave the object.
        DynamicTest changes = DynamicTest.dynamicTest("refusedCredentialsCannotWriteOrDelete", () -> {
            assertRefused(() -> r.driver().delete(r.location()), r.location(), r.secret());
            URI target = writable("refused-write", ".bin");
            assertRefused(
                    () -> r.driver().write(target, new ByteArrayInputStream(new byte[3]), 3, null), target, r.secret());
            assertNotFound(target);
            assertDoesNotThrow(() -> driver().stat(r.location()), "the object is still there");
        });
        return Stream.of(reads, changes);
    }

    private static void assertRefused(Executable call, URI location, String secret) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind(), "kind of " + e);
        assertFalse(e.retryable(), "refused credentials are not retryable: " + e);
        assertRevealsNothing(e, location, secret);
    }

    // ---------------------------------------------------------------------------------------
    // writing and deleting

    @TestFactory
    Stream<DynamicTest> writeAndDelete() throws Exception {
        if (writableLocation(name("probe", ".bin")).isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest(
                    "readOnlyDriverRefusesWriteAndDeleteAsConfiguration", this::readOnlyDriverRefusesWriteAndDelete));
        }
        return Stream.of(
                DynamicTest.dynamicTest("writtenObjectReadsBackExactly", this::writtenObjectReadsBackExactly),
                DynamicTest.dynamicTest(
                        "largeWrittenObjectReadsBackIdenticalBySha256",
                        this::largeWrittenObjectReadsBackIdenticalBySha256),
                DynamicTest.dynamicTest(
                        "writeOfUnknownLengthStoresEveryByte", this::writeOfUnknownLengthStoresEveryByte),
                DynamicTest.dynamicTest(
                        "emptyWrittenObjectHasSizeZeroAndAnEmptyRead",
                        this::emptyWrittenObjectHasSizeZeroAndAnEmptyRead),
                DynamicTest.dynamicTest(
                        "writeOfFewerBytesThanAnnouncedFailsAndStoresNothing",
                        () -> wrongLengthFailsAndStoresNothing(10, 20)),
                DynamicTest.dynamicTest(
                        "writeOfMoreBytesThanAnnouncedFailsAndStoresNothing",
                        () -> wrongLengthFailsAndStoresNothing(20, 10)),
                DynamicTest.dynamicTest(
                        "failedWriteLeavesThePreviousVersionIntact", this::failedWriteLeavesThePreviousVersionIntact),
                DynamicTest.dynamicTest("overwriteReplacesTheObject", this::overwriteReplacesTheObject),
                DynamicTest.dynamicTest("deletedObjectIsNotFound", this::deletedObjectIsNotFound),
                DynamicTest.dynamicTest(
                        "deleteRemovesAnObjectCreatedThroughTheStore",
                        this::deleteRemovesAnObjectCreatedThroughTheStore),
                DynamicTest.dynamicTest("deletingAMissingObjectSucceeds", this::deletingAMissingObjectSucceeds));
    }

    private void readOnlyDriverRefusesWriteAndDelete() throws Exception {
        URI existing = createObject(name("read-only", ".bin"), content(10, 20));
        for (URI location : List.of(existing, missingObject())) {
            BrizoException w = assertThrows(
                    BrizoException.class,
                    () -> driver().write(location, new ByteArrayInputStream(new byte[3]), 3, null),
                    "write of a read-only driver");
            assertEquals(ErrorKind.CONFIGURATION, w.kind(), "kind of " + w);
            assertRevealsNothing(w, location, null);
            BrizoException d =
                    assertThrows(BrizoException.class, () -> driver().delete(location), "delete of a read-only driver");
            assertEquals(ErrorKind.CONFIGURATION, d.kind(), "kind of " + d);
            assertRevealsNothing(d, location, null);
        }
        assertEquals(10, driver().stat(existing).size(), "a refused delete leaves the object");
    }

    private void writtenObjectReadsBackExactly() throws Exception {
        byte[] content = content(SMALL, 21);
        URI uri = writable("written", ".bin");
        ObjectInfo written = driver().write(uri, new ByteArrayInputStream(content), SMALL, "application/octet-stream");
        assertEquals(SMALL, written.size(), "size reported by write");
        assertEquals(SMALL, driver().stat(uri).size(), "size reported by stat");
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertArrayEquals(content, readAll(o));
        }
        try (StorageObject o = driver().open(uri, ByteRange.of(100, 199))) {
            assertArrayEquals(Arrays.copyOfRange(content, 100, 200), readAll(o));
        }
    }

    private void largeWrittenObjectReadsBackIdenticalBySha256() throws Exception {
        // Larger than the usual single-request limits (S3's 8 MiB part, Azure's 4 MiB block),
        // so multipart and block uploads run; not a multiple of any buffer size.
        int size = 9 * 1024 * 1024 + 12_345;
        byte[] content = content(size, 22);
        URI uri = writable("large-written", ".bin");
        ObjectInfo written = driver().write(uri, new TricklingInputStream(content), size, "application/octet-stream");
        assertEquals(size, written.size(), "size reported by write");
        assertEquals(size, driver().stat(uri).size(), "size reported by stat");
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertEquals(sha256(content, 0, size), sha256(o.stream(), size));
        }
    }

    private void writeOfUnknownLengthStoresEveryByte() throws Exception {
        byte[] content = content(100_000, 23);
        URI uri = writable("unknown-length", ".bin");
        ObjectInfo written = driver().write(uri, new TricklingInputStream(content), -1, null);
        assertEquals(content.length, written.size(), "size reported by write");
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertArrayEquals(content, readAll(o));
        }
    }

    private void emptyWrittenObjectHasSizeZeroAndAnEmptyRead() throws Exception {
        URI uri = writable("empty-written", ".bin");
        assertEquals(
                0,
                driver().write(uri, new ByteArrayInputStream(new byte[0]), 0, null)
                        .size());
        assertEquals(0, driver().stat(uri).size());
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertEquals(new ByteRange.Slice(0, 0, 0), o.slice());
            assertEquals(0, readAll(o).length);
        }
    }

    private void wrongLengthFailsAndStoresNothing(int actual, long announced) throws Exception {
        URI uri = writable("wrong-length", ".bin");
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> driver().write(uri, new ByteArrayInputStream(content(actual, 24)), announced, null),
                actual + " bytes announced as " + announced);
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), "kind of " + e);
        assertRevealsNothing(e, uri, null);
        assertNotFound(uri);
    }

    private void failedWriteLeavesThePreviousVersionIntact() throws Exception {
        byte[] previous = content(SMALL, 25);
        URI uri = writable("kept", ".bin");
        driver().write(uri, new ByteArrayInputStream(previous), SMALL, null);
        for (long announced : List.of(SMALL * 2L, 10L)) {
            BrizoException e = assertThrows(
                    BrizoException.class,
                    () -> driver().write(uri, new ByteArrayInputStream(content(SMALL, 26)), announced, null),
                    SMALL + " bytes announced as " + announced);
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), "kind of " + e);
            assertRevealsNothing(e, uri, null);
        }
        assertEquals(SMALL, driver().stat(uri).size());
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertArrayEquals(previous, readAll(o), "the previous version");
        }
    }

    private void overwriteReplacesTheObject() throws Exception {
        URI uri = writable("overwritten", ".bin");
        driver().write(uri, new ByteArrayInputStream(content(SMALL, 27)), SMALL, null);
        byte[] second = content(300, 28);
        assertEquals(
                300,
                driver().write(uri, new ByteArrayInputStream(second), 300, null).size());
        assertEquals(300, driver().stat(uri).size());
        try (StorageObject o = driver().open(uri, ByteRange.all())) {
            assertArrayEquals(second, readAll(o));
        }
    }

    private void deletedObjectIsNotFound() throws Exception {
        URI uri = writable("deleted", ".bin");
        driver().write(uri, new ByteArrayInputStream(content(SMALL, 29)), SMALL, null);
        driver().delete(uri);
        assertNotFound(uri);
    }

    private void deleteRemovesAnObjectCreatedThroughTheStore() throws Exception {
        URI uri = createObject(name("delete-fixture", ".bin"), content(SMALL, 30));
        driver().delete(uri);
        assertNotFound(uri);
    }

    private void deletingAMissingObjectSucceeds() throws Exception {
        driver().delete(missingObject());
        URI uri = writable("deleted-twice", ".bin");
        driver().write(uri, new ByteArrayInputStream(content(10, 31)), 10, null);
        driver().delete(uri);
        driver().delete(uri);
        assertNotFound(uri);
    }

    /** {@return a fresh writable location} Only called when the subclass names one. */
    private URI writable(String base, String extension) throws Exception {
        return writableLocation(name(base, extension))
                .orElseThrow(() -> new AssertionError("writableLocation() answered once, then not"));
    }

    private void assertNotFound(URI uri) {
        BrizoException s = assertThrows(BrizoException.class, () -> driver().stat(uri), "stat");
        assertEquals(ErrorKind.NOT_FOUND, s.kind(), "kind of " + s);
        assertRevealsNothing(s, uri, null);
        BrizoException o = assertThrows(
                BrizoException.class, () -> driver().open(uri, ByteRange.all()).close(), "open");
        assertEquals(ErrorKind.NOT_FOUND, o.kind(), "kind of " + o);
        assertRevealsNothing(o, uri, null);
    }

    /** Hands out at most a few KiB per read, as a network stream does. */
    private static final class TricklingInputStream extends ByteArrayInputStream {
        TricklingInputStream(byte[] content) {
            super(content);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 8191));
        }
    }

    // ---------------------------------------------------------------------------------------
    // helpers, available to subclasses

    /** {@return a unique object name with {@code base} and {@code extension}} */
    protected final String name(String base, String extension) {
        return "contract-" + base + "-" + run + "-" + COUNTER.incrementAndGet() + extension;
    }

    /** {@return {@code size} pseudo-random bytes, the same for the same seed} */
    protected static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * {@return every byte of the object's stream} Fails if their number differs from the
     * slice's length.
     */
    protected static byte[] readAll(StorageObject o) throws IOException {
        byte[] bytes = o.stream().readAllBytes();
        assertEquals(o.slice().length(), bytes.length, "bytes in the stream versus the slice's length");
        return bytes;
    }

    /**
     * Asserts that an error reveals nothing of a location: not the URI, its path, file name,
     * host or query, nor {@code secret}.
     */
    protected static void assertRevealsNothing(Throwable e, URI location, String secret) {
        String message = String.valueOf(e.getMessage());
        List<String> forbidden = new ArrayList<>();
        forbidden.add(location.toString());
        forbidden.add(location.getSchemeSpecificPart());
        if (location.getPath() != null && location.getPath().length() > 1) {
            forbidden.add(location.getPath());
            String path = location.getPath();
            String last = path.substring(path.lastIndexOf('/') + 1);
            if (last.length() >= 3) {
                forbidden.add(last);
            }
        }
        if (location.getHost() != null) {
            forbidden.add(location.getHost());
        }
        if (location.getQuery() != null) {
            forbidden.add(location.getQuery());
        }
        if (secret != null && !secret.isEmpty()) {
            forbidden.add(secret);
        }
        for (String f : forbidden) {
            assertFalse(message.contains(f), "the message '" + message + "' reveals '" + f + "'");
        }
    }

    private void assertRange(ByteRange range, int offset, int length) throws Exception {
        byte[] content = content(SMALL, 11 + offset * 31L + length);
        URI uri = createObject(name("range", ".bin"), content);
        try (StorageObject o = driver().open(uri, range)) {
            assertEquals(new ByteRange.Slice(offset, length, SMALL), o.slice(), "slice of range " + range);
            assertEquals(SMALL, o.info().size(), "object size");
            assertArrayEquals(Arrays.copyOfRange(content, offset, offset + length), readAll(o), "bytes of " + range);
        }
    }

    private void assertUnsatisfiable(URI uri, ByteRange range) {
        BrizoException e = assertThrows(
                BrizoException.class, () -> driver().open(uri, range).close(), "range " + range);
        assertEquals(ErrorKind.RANGE_NOT_SATISFIABLE, e.kind(), "kind for range " + range + ": " + e);
        assertRevealsNothing(e, uri, null);
    }

    /** The outcome of reading a closed stream: "-1" or "IOException"; anything else fails. */
    private static String afterClose(IoCall call) {
        try {
            int r = call.read();
            assertEquals(-1, r, "a closed stream must not yield data");
            return "-1";
        } catch (IOException e) {
            return "IOException";
        }
    }

    @FunctionalInterface
    private interface IoCall {
        int read() throws IOException;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
    }

    private static String sha256(byte[] content, int offset, int length) {
        MessageDigest d = sha256();
        d.update(content, offset, length);
        return HexFormat.of().formatHex(d.digest());
    }

    private static String sha256(InputStream in, long expectedLength) throws IOException {
        MessageDigest d = sha256();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            d.update(buffer, 0, n);
            total += n;
        }
        assertEquals(expectedLength, total, "bytes in the stream");
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
