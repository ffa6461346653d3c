package io.brizo.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchedFileTest {
    @TempDir
    Path dir;

    private WatchedFile<String> watch(Path file, Duration interval) {
        return new WatchedFile<>(
                file, "BRIZO_TEST", (bytes, name) -> new String(bytes, StandardCharsets.UTF_8), interval);
    }

    private void replace(Path file, String content) throws Exception {
        Path temp = Files.writeString(dir.resolve("next.tmp"), content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void withAZeroIntervalAnEditIsSeenByTheNextCall() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ZERO);
        assertEquals("one", watched.get());
        replace(file, "two, longer");
        assertEquals("two, longer", watched.get());
    }

    @Test
    void withinTheIntervalTheFileIsNotCheckedAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ofHours(1));
        replace(file, "two, longer");
        assertEquals("one", watched.get(), "checked again within the interval");
    }

    @Test
    void afterTheIntervalAnEditIsSeen() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ofMillis(200));
        replace(file, "two, longer");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!watched.get().equals("two, longer") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals("two, longer", watched.get());
    }

    @Test
    void anUpdateStartsFromTheFileOnDiskAndIsServedAtOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ofHours(1));
        replace(file, "edited");

        assertTrue(watched.update("the test file", content -> (new String(content, StandardCharsets.UTF_8) + "+1")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals("edited+1", watched.get(), "the edit on disk kept, the update served within the interval");
        assertEquals("edited+1", Files.readString(file));
    }

    @Test
    void anUpdateThatChangesNothingLeavesTheFileAsItIs() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ZERO);
        FileTime before = Files.getLastModifiedTime(file);

        assertFalse(watched.update("the test file", content -> null));
        assertEquals(before, Files.getLastModifiedTime(file));
        assertEquals("one", watched.get());
    }

    @Test
    void anUpdateOfAFileThatCannotBeReadIsUnavailableAndRetryable() throws Exception {
        Path file = Files.writeString(dir.resolve("a.json"), "one");
        WatchedFile<String> watched = watch(file, Duration.ZERO);
        Files.delete(file);

        BrizoException e = assertThrows(BrizoException.class, () -> watched.update("the test file", c -> c));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.retryable());
        assertEquals("the test file cannot be read now; try again later", e.getMessage());
    }
}
