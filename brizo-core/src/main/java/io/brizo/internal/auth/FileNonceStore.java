package io.brizo.internal.auth;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NonceStore} backed by an append-only journal file, safe across restarts and crashes.
 *
 * <p>Each accepted nonce is appended as one line {@code <address> <nonce> <crc32>} and forced to
 * disk before {@code tryAccept} returns {@code true}, so an acknowledged nonce is never lost. Only
 * the last line can be torn by a crash; it is recognised by its missing newline or wrong checksum
 * and dropped on open (it was never acknowledged). When the journal grows past a threshold and
 * holds more than twice as many lines as addresses, it is compacted: the latest nonce of every
 * address is written to a temporary file, forced, and atomically moved over the journal.
 *
 * <p>All accepts are serialised inside the process; a sibling {@code <name>.lock} file, locked
 * with {@link FileChannel#tryLock()}, keeps other processes out. The lock file is separate because
 * compaction replaces the journal file, and a lock on a replaced file protects nothing.
 */
public final class FileNonceStore implements NonceStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileNonceStore.class);

    static final String HEADER = "# brizo nonce journal v1";
    static final int DEFAULT_COMPACTION_THRESHOLD = 10_000;
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");

    /** Opens journal files; a seam so tests can make disk writes fail. */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private final Path path;
    private final Path tempPath;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ChannelOpener opener;
    private final int compactionThreshold;

    private final Object mutex = new Object();

    // Everything below is guarded by mutex.
    private final Map<String, Long> lastAccepted = new HashMap<>();
    private FileChannel journal;
    private long journalSize;
    private long journalLines;
    // Set when the journal may end in a partial line or is not open; the next accept rewrites it.
    private boolean mustRewrite;
    private boolean closed;

    private FileNonceStore(Path path, FileChannel lockChannel, FileLock lock, ChannelOpener opener, int threshold) {
        this.path = path;
        this.tempPath = path.resolveSibling(path.getFileName() + ".tmp");
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.opener = opener;
        this.compactionThreshold = threshold;
    }

    /**
     * Opens or creates the journal at {@code path}; see {@link NonceStore#file(Path)}.
     *
     * @return the open store, which holds the file's lock until closed
     */
    public static FileNonceStore open(Path path) {
        return open(path, DEFAULT_COMPACTION_THRESHOLD, FileChannel::open);
    }

    static FileNonceStore open(Path path, int compactionThreshold, ChannelOpener opener) {
        Path file = path.toAbsolutePath().normalize();
        Path lockPath = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel lockChannel;
        try {
            Files.createDirectories(file.getParent());
            lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new BrizoException(
                    ErrorKind.CONFIGURATION,
                    "cannot open the nonce file " + file + " (" + e + "); check the path and its permissions",
                    e);
        }
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(lockChannel);
            throw BrizoException.configuration("the nonce file " + file
                    + " is already open in this process; share one NonceStore instead of opening it twice");
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new BrizoException(ErrorKind.CONFIGURATION, "cannot lock the nonce file " + file + " (" + e + ")", e);
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw BrizoException.configuration("the nonce file " + file
                    + " is in use by another process; give each server its own file or a shared NonceStore");
        }
        FileNonceStore store = new FileNonceStore(file, lockChannel, lock, opener, compactionThreshold);
        try {
            synchronized (store.mutex) {
                store.load();
            }
        } catch (IOException e) {
            store.close();
            throw new BrizoException(
                    ErrorKind.CONFIGURATION, "cannot read or write the nonce file " + file + " (" + e + ")", e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    @Override
    public boolean tryAccept(String address, long nonce) {
        String key = Eip191.normaliseAddress(address);
        synchronized (mutex) {
            if (closed) {
                throw new BrizoException(ErrorKind.INTERNAL, "the nonce store is closed");
            }
            Long last = lastAccepted.get(key);
            if (last != null && nonce <= last) {
                return false;
            }
            try {
                if (mustRewrite) {
                    rewrite();
                }
                append(key, nonce);
            } catch (IOException e) {
                // The tail may now hold part of this line; rewrite from memory before the next append.
                mustRewrite = true;
                throw new BrizoException(ErrorKind.UNAVAILABLE, "the nonce could not be recorded; try again later", e);
            }
            lastAccepted.put(key, nonce);
            if (journalLines >= compactionThreshold && journalLines > 2L * lastAccepted.size()) {
                try {
                    rewrite();
                } catch (IOException e) {
                    // The nonce is already durable. If the old journal was already closed, rewrite()
                    // has set mustRewrite; otherwise appends may go on and compaction is retried.
                    LOG.warn("Compacting the nonce journal failed; will retry later", e);
                }
            }
            return true;
        }
    }

    /** Releases the file lock; further calls to {@link #tryAccept} fail. Idempotent. */
    @Override
    public void close() {
        synchronized (mutex) {
            if (closed) {
                return;
            }
            closed = true;
            if (journal != null) {
                closeQuietly(journal);
                journal = null;
            }
        }
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("Releasing the nonce file lock failed", e);
        }
        closeQuietly(lockChannel);
    }

    private void load() throws IOException {
        if (!Files.exists(path) || Files.size(path) == 0) {
            rewrite();
            return;
        }
        byte[] bytes = Files.readAllBytes(path);
        byte[] header = (HEADER + "\n").getBytes(StandardCharsets.US_ASCII);
        if (!startsWith(bytes, header)) {
            throw BrizoException.configuration("the file " + path
                    + " is not a Brizo nonce journal (its first line differs); point the store at a new file");
        }
        int lineNumber = 1;
        int start = header.length;
        boolean torn = false;
        while (start < bytes.length) {
            lineNumber++;
            int end = indexOf(bytes, (byte) '\n', start);
            if (end < 0) {
                torn = true; // a crash cut the last append short
                break;
            }
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            boolean lastLine = end == bytes.length - 1;
            if (!parseInto(line, lastAccepted)) {
                if (!lastLine) {
                    throw BrizoException.configuration("the nonce journal " + path + " is corrupt at line " + lineNumber
                            + "; restore it from a backup (deleting it would allow replays)");
                }
                torn = true; // the newline reached the disk but some bytes before it did not
            }
            journalLines++;
            start = end + 1;
        }
        if (torn) {
            LOG.warn("The nonce journal ended in an incomplete entry from an interrupted write; dropping it");
            rewrite();
        } else {
            journal = opener.open(path, StandardOpenOption.WRITE);
            journalSize = journal.size();
        }
    }

    private static boolean parseInto(String line, Map<String, Long> into) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !ADDRESS.matcher(parts[0]).matches()) {
            return false;
        }
        long nonce;
        try {
            nonce = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (!crc(parts[0] + " " + parts[1]).equals(parts[2])) {
            return false;
        }
        into.merge(parts[0], nonce, Math::max);
        return true;
    }

    private void append(String address, long nonce) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(entry(address, nonce));
        long position = journalSize;
        while (buffer.hasRemaining()) {
            position += journal.write(buffer, position);
        }
        journal.force(false);
        journalSize = position;
        journalLines++;
    }

    /** Replaces the journal by one entry per address, atomically, and reopens it for appends. */
    private void rewrite() throws IOException {
        StringBuilder content = new StringBuilder(HEADER).append('\n');
        for (Map.Entry<String, Long> e : lastAccepted.entrySet()) {
            content.append(new String(entry(e.getKey(), e.getValue()), StandardCharsets.UTF_8));
        }
        ByteBuffer buffer = ByteBuffer.wrap(content.toString().getBytes(StandardCharsets.UTF_8));
        try (FileChannel temp = opener.open(
                tempPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                temp.write(buffer);
            }
            temp.force(true);
        }
        // From here until the new journal is open, appends must not go to the old file.
        mustRewrite = true;
        if (journal != null) {
            closeQuietly(journal);
            journal = null;
        }
        Files.move(tempPath, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(path.getParent());
        journal = opener.open(path, StandardOpenOption.WRITE);
        journalSize = journal.size();
        journalLines = lastAccepted.size();
        mustRewrite = false;
    }

    private static byte[] entry(String address, long nonce) {
        String body = address + " " + nonce;
        return (body + " " + crc(body) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** Makes the rename durable: without it a crash could bring back the old journal. */
    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Windows cannot open a directory as a channel; NTFS journals the rename itself.
            if (File.separatorChar != '\\') {
                throw e;
            }
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing a nonce file channel failed", e);
        }
    }
}
