package io.brizo.internal.util;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file parsed once and parsed again when its modification time or size changes,
 * which is checked at most once per interval (one {@code stat} per interval, not per request).
 * A changed file that fails to parse keeps the last good value, so a publisher's typo never
 * takes a running server down.
 *
 * @param <T> the parsed value
 */
public final class WatchedFile<T> {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);

    private final Path path;
    private final String settingName;
    private final BiFunction<byte[], String, T> parser;
    private final long checkIntervalNanos;
    private final Object updateLock = new Object();
    private volatile Snapshot<T> snapshot;
    private volatile long lastCheck;

    private record Snapshot<T>(FileTime modified, long size, T value) {}

    /**
     * Reads and parses the file now.
     *
     * @param settingName the setting that names the file, for error messages
     * @param parser turns the content (and the file's name, for messages) into the value; throws
     *     a CONFIGURATION error when the content is wrong
     * @param checkInterval how long a check for changes holds; zero checks on every call
     * @throws BrizoException of kind CONFIGURATION if the file is missing or does not parse
     */
    public WatchedFile(Path path, String settingName, BiFunction<byte[], String, T> parser, Duration checkInterval) {
        this.path = Objects.requireNonNull(path, "path");
        this.settingName = settingName;
        this.parser = parser;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.snapshot = load();
        this.lastCheck = System.nanoTime();
    }

    /** {@return the current value, re-reading the file if it changed} */
    public T get() {
        Snapshot<T> s = snapshot;
        long now = System.nanoTime();
        if (checkIntervalNanos > 0 && now - lastCheck < checkIntervalNanos) {
            return s.value;
        }
        lastCheck = now; // racing callers may both check: harmless
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(s.modified) && attributes.size() == s.size) {
                return s.value;
            }
        } catch (IOException e) {
            LOG.warn("{} file {} cannot be read any more; keeping its last content", settingName, path.getFileName());
            return s.value;
        }
        synchronized (this) {
            try {
                snapshot = load();
            } catch (BrizoException e) {
                LOG.error(
                        "{} changed but cannot be used ({}); keeping its last good content",
                        settingName,
                        e.getMessage());
                // Remember the bad version so it is not parsed again on every request.
                try {
                    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                    snapshot = new Snapshot<>(attributes.lastModifiedTime(), attributes.size(), s.value);
                } catch (IOException ignored) {
                    // The next call tries again.
                }
            }
            return snapshot.value;
        }
    }

    /**
     * Reads and parses the file now, whatever the interval says: for a writer of the file that
     * wants its own change served at once.
     *
     * @throws BrizoException of kind CONFIGURATION if the file is missing or does not parse; the
     *     last good value is kept
     */
    public synchronized T reload() {
        snapshot = load();
        lastCheck = System.nanoTime();
        return snapshot.value;
    }

    /**
     * Changes the file and serves the change at once: reads it afresh (so edits made since the
     * last reload are kept), lets {@code change} make the new content, writes that atomically
     * ({@link AtomicFiles#replace}) and reloads. Changes through this object are serialised;
     * several processes changing one file are not supported.
     *
     * @param what the file as messages name it, such as {@code the grants file}
     * @param change the new content from the current one, or null to leave the file as it is; may
     *     throw a {@link BrizoException}, which leaves the file as it is
     * @return whether the file was changed
     * @throws BrizoException of kind UNAVAILABLE, retryable, when the file cannot be read or
     *     written now; CONFIGURATION when the written file does not parse
     */
    public boolean update(String what, UnaryOperator<byte[]> change) {
        String name = path.getFileName().toString();
        synchronized (updateLock) {
            byte[] content;
            try {
                content = Files.readAllBytes(path);
            } catch (IOException e) {
                LOG.warn("cannot read {} {}: {}", what, name, e.getClass().getSimpleName());
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, what + " cannot be read now; try again later", null, true);
            }
            byte[] updated = change.apply(content);
            if (updated == null) {
                return false;
            }
            try {
                AtomicFiles.replace(path, updated);
            } catch (IOException e) {
                LOG.warn("cannot write {} {}: {}", what, name, e.getClass().getSimpleName());
                throw new BrizoException(
                        ErrorKind.UNAVAILABLE, what + " cannot be written now; try again later", null, true);
            }
            reload();
            return true;
        }
    }

    /** {@return the file this watches} */
    public Path path() {
        return path;
    }

    private Snapshot<T> load() {
        String name = path.getFileName().toString();
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            byte[] content = Files.readAllBytes(path);
            return new Snapshot<>(modified, content.length, parser.apply(content, name));
        } catch (NoSuchFileException e) {
            throw BrizoException.configuration(
                    settingName + " names the file " + path + ", which does not exist; create it or fix the setting");
        } catch (IOException e) {
            throw BrizoException.configuration("cannot read " + settingName + " file " + path + ": " + e.getMessage());
        }
    }
}
