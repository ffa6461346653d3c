package io.brizo.testkit.builtin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.storage.FileStorageDriverFactory;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** What the file driver does beyond the contract: confinement to its roots, and writing. */
class FileStorageDriverTest {
    private static final byte[] SECRET = "the publisher's private data".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path base;

    private Path root;
    private Path outside;
    private StorageDriver driver;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(base.resolve("served"));
        outside = Files.createDirectory(base.resolve("private"));
        Files.write(outside.resolve("secret.txt"), SECRET);
        Files.write(root.resolve("public.bin"), new byte[] {1, 2, 3});
        driver = driverFor(root.toString());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static StorageDriver driverFor(String roots) {
        return new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, roots)
                        .build())
                .orElseThrow();
    }

    @Test
    void factoryIsNotConfiguredWithoutRoots() {
        assertEquals(Optional.empty(), new FileStorageDriverFactory().create(Settings.empty()));
    }

    @Test
    void factoryRefusesARootThatIsNotADirectoryNamingTheSetting() {
        Settings settings = Settings.builder()
                .put(FileStorageDriverFactory.ROOTS, base.resolve("absent").toString())
                .build();
        BrizoException e = assertThrows(BrizoException.class, () -> new FileStorageDriverFactory().create(settings));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("BRIZO_FILE_ROOTS"), e.getMessage());
    }

    @Test
    void factoryDeclaresItsSetting() {
        assertEquals(
                List.of("BRIZO_FILE_ROOTS"),
                new FileStorageDriverFactory()
                        .settingKeys().stream().map(k -> k.name()).toList());
    }

    @Test
    void supportsOnlyFileLocations() {
        assertTrue(driver.supports(URI.create("file:///anything")));
        assertFalse(driver.supports(URI.create("http://127.0.0.1/anything")));
        assertFalse(driver.supports(URI.create("mem:/anything")));
    }

    @Test
    void dotDotTraversalIsRefusedWithoutRevealingThePath() {
        String rootUri = root.toUri().toString(); // ends with a slash
        for (String location : List.of(
                rootUri + "../private/secret.txt",
                rootUri + "%2e%2e/private/secret.txt",
                rootUri + "sub/../../private/secret.txt",
                // ".." is refused even when the result would stay inside the root
                rootUri + "sub/../public.bin")) {
            assertRefused(URI.create(location));
        }
    }

    @Test
    void pathOutsideTheRootsIsRefused() {
        assertRefused(outside.resolve("secret.txt").toUri());
        assertRefused(URI.create("file:///etc/hostname"));
    }

    @Test
    void symlinkToAFileOutsideTheRootIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("innocent.txt"), outside.resolve("secret.txt"));
        assertRefused(link.toUri());
    }

    @Test
    void symlinkToADirectoryOutsideTheRootIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(root.resolve("shared"), outside);
        assertRefused(link.resolve("secret.txt").toUri());
    }

    @Test
    void symlinkThatStaysInsideTheRootIsFollowed() throws Exception {
        Path alias = Files.createSymbolicLink(root.resolve("alias.bin"), root.resolve("public.bin"));
        try (StorageObject o = driver.open(alias.toUri(), ByteRange.all())) {
            assertArrayEquals(new byte[] {1, 2, 3}, o.stream().readAllBytes());
        }
    }

    @Test
    void rootGivenThroughASymlinkServesByBothPaths() throws Exception {
        Path linkedRoot = Files.createSymbolicLink(base.resolve("linked-root"), root);
        try (StorageDriver viaLink = driverFor(linkedRoot.toString())) {
            assertEquals(
                    3, viaLink.stat(linkedRoot.resolve("public.bin").toUri()).size());
            assertEquals(3, viaLink.stat(root.resolve("public.bin").toUri()).size());
            assertThrowsKind(
                    ErrorKind.FORBIDDEN,
                    () -> viaLink.stat(outside.resolve("secret.txt").toUri()));
        }
    }

    @Test
    void directoryIsRefusedWithoutRevealingThePath() throws IOException {
        Path dir = Files.createDirectory(root.resolve("folder"));
        for (Executable call : calls(dir.toUri())) {
            BrizoException e = assertThrows(BrizoException.class, call);
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), e.toString());
            assertRevealsNothing(e, dir.toUri());
        }
        assertThrowsKind(ErrorKind.NOT_FOUND, () -> driver.stat(root.toUri()));
    }

    @Test
    void missingFileMessageSaysOnlyThatItDoesNotExist() {
        URI missing = root.resolve("sub").resolve("gone.csv").toUri();
        BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(missing));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals("the file of this asset does not exist", e.getMessage());
    }

    @Test
    void fileBelowAnotherFileIsNotFound() {
        URI impossible = root.resolve("public.bin").resolve("child").toUri();
        assertThrowsKind(ErrorKind.NOT_FOUND, () -> driver.stat(impossible));
    }

    @Test
    void relativeOrHostQualifiedFileUriIsAConfigurationError() {
        for (URI bad : List.of(URI.create("file:public.bin"), URI.create("file://host/served/public.bin"))) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.stat(bad));
            assertEquals(ErrorKind.CONFIGURATION, e.kind(), e.toString());
            assertRevealsNothing(e, bad);
        }
    }

    @Test
    void severalRootsAreSeparatedByThePathSeparator() throws IOException {
        Path second = Files.createDirectory(base.resolve("second"));
        Files.write(second.resolve("two.bin"), new byte[2]);
        try (StorageDriver both = driverFor(root + File.pathSeparator + second)) {
            assertEquals(3, both.stat(root.resolve("public.bin").toUri()).size());
            assertEquals(2, both.stat(second.resolve("two.bin").toUri()).size());
            assertThrowsKind(
                    ErrorKind.FORBIDDEN,
                    () -> both.stat(outside.resolve("secret.txt").toUri()));
        }
    }

    @Test
    void fileShrinkingWhileReadMakesTheStreamFailRatherThanEndEarly() throws IOException {
        Path file = Files.write(root.resolve("shrinks.bin"), new byte[10_000]);
        try (StorageObject o = driver.open(file.toUri(), ByteRange.all())) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(100);
            }
            InputStream stream = o.stream();
            assertThrows(IOException.class, stream::readAllBytes);
        }
    }

    @Test
    void statReportsLastModifiedAndAProbedContentType() throws IOException {
        Path file = Files.writeString(root.resolve("notes.txt"), "hello");
        ObjectInfo info = driver.stat(file.toUri());
        assertEquals(5, info.size());
        assertEquals(
                Files.getLastModifiedTime(file).toInstant(), info.lastModified().orElseThrow());
        assertEquals(Optional.ofNullable(Files.probeContentType(file)), info.contentType());
    }

    // -- writing

    @Test
    void writeCreatesDirectoriesAndTheFileAndLeavesNoTemporaryFiles() throws Exception {
        URI target = root.resolve("jobs/42/outputs/result.bin").toUri();
        byte[] data = "result".getBytes(StandardCharsets.UTF_8);
        ObjectInfo info = driver.write(target, new ByteArrayInputStream(data), data.length, "text/plain");
        assertEquals(data.length, info.size());
        assertArrayEquals(data, Files.readAllBytes(root.resolve("jobs/42/outputs/result.bin")));
        try (Stream<Path> files = Files.list(root.resolve("jobs/42/outputs"))) {
            assertEquals(
                    List.of("result.bin"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void writeReplacesAnExistingFile() throws Exception {
        URI target = root.resolve("public.bin").toUri();
        driver.write(target, new ByteArrayInputStream(new byte[] {9}), -1, null);
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(root.resolve("public.bin")));
    }

    @Test
    void writeOutsideTheRootsIsRefusedAndWritesNothing() throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        for (URI target : List.of(
                outside.resolve("planted.txt").toUri(),
                URI.create(root.toUri() + "../private/planted.txt"),
                root.resolve("escape/planted.txt").toUri(),
                root.resolve("escape/deeper/planted.txt").toUri())) {
            BrizoException e = assertThrows(
                    BrizoException.class, () -> driver.write(target, new ByteArrayInputStream(new byte[1]), 1, null));
            assertEquals(ErrorKind.FORBIDDEN, e.kind(), target + ": " + e);
            assertRevealsNothing(e, target);
        }
        try (Stream<Path> files = Files.list(outside)) {
            assertEquals(
                    List.of("secret.txt"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void writeOfFewerBytesThanAnnouncedKeepsThePreviousFile() throws IOException {
        URI target = root.resolve("public.bin").toUri();
        BrizoException e = assertThrows(
                BrizoException.class, () -> driver.write(target, new ByteArrayInputStream(new byte[2]), 5, null));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("public.bin")));
        try (Stream<Path> files = Files.list(root)) {
            assertEquals(
                    List.of("public.bin"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }

    // -- deleting

    @Test
    void deleteOutsideTheRootsIsRefusedAndDeletesNothing() throws IOException {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        for (URI target : List.of(
                outside.resolve("secret.txt").toUri(),
                URI.create(root.toUri() + "../private/secret.txt"),
                URI.create(root.toUri() + "sub/../public.bin"),
                root.resolve("escape/secret.txt").toUri())) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.delete(target));
            assertEquals(ErrorKind.FORBIDDEN, e.kind(), target + ": " + e);
            assertRevealsNothing(e, target);
        }
        assertArrayEquals(SECRET, Files.readAllBytes(outside.resolve("secret.txt")));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("public.bin")));
    }

    @Test
    void deleteOfARootIsRefused() {
        for (URI target : List.of(root.toUri(), URI.create("file://" + root))) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.delete(target));
            assertEquals(ErrorKind.INVALID_REQUEST, e.kind(), target + ": " + e);
            assertRevealsNothing(e, target);
        }
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void deleteOfADirectoryIsRefusedAndKeepsIt() throws IOException {
        Path dir = Files.createDirectories(root.resolve("folder/inner"));
        for (Path target : List.of(dir, dir.getParent())) {
            BrizoException e = assertThrows(BrizoException.class, () -> driver.delete(target.toUri()));
            assertEquals(ErrorKind.CONFLICT, e.kind(), e.toString());
            assertRevealsNothing(e, target.toUri());
        }
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void deleteOfASymlinkRemovesTheLinkOnly() throws IOException {
        Path inside = Files.createSymbolicLink(root.resolve("alias.bin"), root.resolve("public.bin"));
        Path escaping = Files.createSymbolicLink(root.resolve("innocent.txt"), outside.resolve("secret.txt"));
        driver.delete(inside.toUri());
        driver.delete(escaping.toUri());
        assertFalse(Files.exists(inside, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(escaping, LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("public.bin")));
        assertArrayEquals(SECRET, Files.readAllBytes(outside.resolve("secret.txt")));
    }

    @Test
    void deleteOfAFileInAMissingOrImpossibleDirectorySucceeds() {
        driver.delete(root.resolve("no/such/dir/gone.bin").toUri());
        driver.delete(root.resolve("public.bin").resolve("child").toUri());
        assertTrue(Files.exists(root.resolve("public.bin")));
    }

    @Test
    void deleteLeavesTheDirectoryOfTheFile() throws Exception {
        URI target = root.resolve("jobs/7/result.bin").toUri();
        driver.write(target, new ByteArrayInputStream(new byte[4]), 4, null);
        driver.delete(target);
        assertFalse(Files.exists(root.resolve("jobs/7/result.bin")));
        assertTrue(Files.isDirectory(root.resolve("jobs/7")));
    }

    // -- helpers

    private List<Executable> calls(URI location) {
        return List.of(
                () -> driver.stat(location),
                () -> driver.open(location, ByteRange.all()).close(),
                () -> driver.open(location, ByteRange.of(0, 3)).close());
    }

    /** Refused as outside the roots, by stat and open, without naming any part of the path. */
    private void assertRefused(URI location) {
        for (Executable call : calls(location)) {
            BrizoException e = assertThrows(BrizoException.class, call, location.toString());
            assertEquals(ErrorKind.FORBIDDEN, e.kind(), location + ": " + e);
            assertFalse(e.retryable());
            assertRevealsNothing(e, location);
        }
    }

    private void assertRevealsNothing(BrizoException e, URI location) {
        String message = e.getMessage();
        for (String part : List.of(
                location.toString(),
                String.valueOf(location.getPath()),
                base.toString(),
                "served",
                "private",
                "secret",
                "folder",
                "escape",
                "planted")) {
            assertFalse(message.contains(part), "'" + message + "' reveals '" + part + "'");
        }
        // The cause may be logged, but it must not carry the path either.
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            assertFalse(String.valueOf(c.getMessage()).contains(base.toString()), "cause reveals the path: " + c);
        }
    }

    private static void assertThrowsKind(ErrorKind kind, Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertEquals(kind, e.kind(), e.toString());
    }
}
