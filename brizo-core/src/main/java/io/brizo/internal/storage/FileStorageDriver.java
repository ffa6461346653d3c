package io.brizo.internal.storage;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code file:} locations confined to configured root directories. Thread-safe and
 * stateless apart from the roots.
 *
 * <p>Confinement is checked at every access, on the real path: a location with a {@code ..}
 * segment is refused outright, and the location's real path (all symbolic links resolved) must
 * lie inside the real path of a root, so a link inside a root cannot lead out of it. The file
 * is then opened by that real path without following links. What remains is a race with someone
 * who can swap directories inside a root between the check and the open; whoever can do that
 * can already change the served data.
 *
 * <p>Messages never contain a path: a location is a secret, and error messages may reach the
 * consumer. Details are logged at DEBUG only.
 */
final class FileStorageDriver implements StorageDriver {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorageDriver.class);

    static final String NOT_FOUND_MESSAGE = "the file of this asset does not exist";
    static final String OUTSIDE_ROOTS_MESSAGE =
            "the file of this asset is outside the directories this publisher serves";
    static final String NOT_A_FILE_MESSAGE = "the storage location of this asset is not a regular file";

    private final List<Root> roots;

    /** A root as configured (absolute, normalized) and as it really is (links resolved). */
    record Root(Path configured, Path real) {
        boolean lexicallyContains(Path p) {
            return p.startsWith(configured) || p.startsWith(real);
        }
    }

    FileStorageDriver(List<Root> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one root is needed");
        }
        this.roots = List.copyOf(roots);
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public boolean supports(URI location) {
        return location != null && "file".equalsIgnoreCase(location.getScheme());
    }

    @Override
    public ObjectInfo stat(URI location) {
        Path real = resolveExisting(location);
        try {
            BasicFileAttributes attrs =
                    Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            requireRegular(attrs);
            return info(real, attrs, attrs.size());
        } catch (NoSuchFileException e) {
            throw notFound(e);
        } catch (IOException e) {
            throw readFailed(e);
        }
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        Path real = resolveExisting(location);
        FileChannel channel = null;
        try {
            BasicFileAttributes attrs =
                    Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            requireRegular(attrs);
            channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            // The size of the opened file, not of the earlier stat: the file may have changed.
            long size = channel.size();
            ByteRange.Slice slice = range.resolve(size);
            channel.position(slice.offset());
            InputStream stream = new ExactLengthInputStream(Channels.newInputStream(channel), slice.length());
            // The channel's size with the earlier stat's identity: a file replaced in between has
            // another key or time, so no mapping of one is taken for the other's unless both
            // the file key and the time were reused.
            String version = real + "\0" + attrs.fileKey() + "\0" + size + "\0"
                    + attrs.lastModifiedTime().toInstant();
            return new StorageObject(
                    info(real, attrs, size), slice, stream, new StorageObject.LocalFile(channel, version, real));
        } catch (NoSuchFileException e) {
            closeQuietly(channel);
            throw notFound(e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw readFailed(e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Writes the file atomically inside a root, creating missing directories. A file system keeps
     * no content type, so {@code contentType} is not stored; the result reports the probed one.
     */
    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        Path target = confinedLexically(location);
        Path parent = target.getParent();
        if (parent == null || isRoot(target)) {
            throw new BrizoException(ErrorKind.INVALID_REQUEST, NOT_A_FILE_MESSAGE);
        }
        Path tmp = null;
        try {
            Path realParent = createConfinedDirectories(parent);
            Path realTarget = realParent.resolve(target.getFileName());
            if (Files.isDirectory(realTarget, LinkOption.NOFOLLOW_LINKS)) {
                throw new BrizoException(ErrorKind.CONFLICT, NOT_A_FILE_MESSAGE);
            }
            // Write beside the target and rename, so readers never see a half-written file and
            // a failed write leaves the previous version in place.
            tmp = Files.createTempFile(realParent, ".brizo-", ".part");
            long written;
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                written = copy(data, out);
            }
            if (length >= 0 && written != length) {
                throw new BrizoException(
                        ErrorKind.INVALID_REQUEST,
                        "the data to write had " + written + " bytes instead of the " + length + " announced");
            }
            try {
                Files.move(tmp, realTarget, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, realTarget, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            BasicFileAttributes attrs =
                    Files.readAttributes(realTarget, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return info(realTarget, attrs, attrs.size());
        } catch (IOException e) {
            LOG.debug("writing a file failed", e);
            throw new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "writing the file failed",
                    BrizoException.redactedCause(e),
                    !isPermanent(e));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.debug("could not delete a temporary file", e);
                }
            }
        }
    }

    /**
     * Deletes the file (a symbolic link itself, never what it points to) inside a root; a missing
     * file is not an error. Roots and directories are refused: a job's outputs are files, and a
     * wrong location must not take a whole tree with it.
     */
    @Override
    public void delete(URI location) {
        Path target = confinedLexically(location);
        Path parent = target.getParent();
        if (parent == null || isRoot(target)) {
            throw new BrizoException(ErrorKind.INVALID_REQUEST, NOT_A_FILE_MESSAGE);
        }
        Path realParent;
        try {
            realParent = parent.toRealPath();
        } catch (IOException e) {
            if (e instanceof NoSuchFileException || !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
                LOG.debug("the directory of a file to delete does not exist", e);
                return;
            }
            throw deleteFailed(e);
        }
        requireInsideRealRoot(realParent);
        if (!Files.isDirectory(realParent, LinkOption.NOFOLLOW_LINKS)) {
            // A file where a directory should be: nothing can exist below it.
            return;
        }
        Path name = target.getFileName();
        Path realTarget = realParent.resolve(name);
        if (isRoot(realTarget)) {
            throw new BrizoException(ErrorKind.INVALID_REQUEST, NOT_A_FILE_MESSAGE);
        }
        try {
            BasicFileAttributes attrs =
                    Files.readAttributes(realTarget, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isDirectory() || attrs.isOther()) {
                throw new BrizoException(ErrorKind.CONFLICT, NOT_A_FILE_MESSAGE);
            }
            unlink(realParent, name);
        } catch (NoSuchFileException e) {
            LOG.debug("a file to delete does not exist", e);
        } catch (IOException e) {
            if (Files.isDirectory(realTarget, LinkOption.NOFOLLOW_LINKS)) {
                throw new BrizoException(ErrorKind.CONFLICT, NOT_A_FILE_MESSAGE);
            }
            throw deleteFailed(e);
        }
    }

    /**
     * Removes {@code name} from {@code dir}. Through the open directory where the platform allows
     * it: that call never removes a directory, even one swapped in after the check above.
     */
    private static void unlink(Path dir, Path name) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            if (stream instanceof SecureDirectoryStream<Path> secure) {
                secure.deleteFile(name);
                return;
            }
        }
        Files.delete(dir.resolve(name));
    }

    private boolean isRoot(Path p) {
        return roots.stream().anyMatch(r -> r.configured().equals(p) || r.real().equals(p));
    }

    private static BrizoException deleteFailed(IOException e) {
        LOG.debug("deleting a file failed", e);
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "deleting the file failed",
                BrizoException.redactedCause(e),
                !isPermanent(e));
    }

    /** Copies, telling a failure of the input apart from one of the disk. */
    private static long copy(InputStream data, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (true) {
            int n;
            try {
                n = data.read(buffer);
            } catch (IOException e) {
                throw new BrizoException(
                        ErrorKind.UPSTREAM_FAILED,
                        "reading the data to write failed",
                        BrizoException.redactedCause(e),
                        true);
            }
            if (n < 0) {
                return total;
            }
            out.write(buffer, 0, n);
            total += n;
        }
    }

    /**
     * Creates the missing directories of {@code dir} inside a root and returns its real path.
     * The nearest existing ancestor is checked before anything is created, and the result after.
     */
    private Path createConfinedDirectories(Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw outsideRoots();
        }
        requireInsideRealRoot(existing.toRealPath());
        Files.createDirectories(dir);
        Path real = dir.toRealPath();
        requireInsideRealRoot(real);
        if (!Files.isDirectory(real)) {
            throw new BrizoException(ErrorKind.CONFLICT, NOT_A_FILE_MESSAGE);
        }
        return real;
    }

    /** {@return the real path of an existing location inside a root} */
    private Path resolveExisting(URI location) {
        Path path = confinedLexically(location);
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            // Any failure to resolve a location that does not exist (a missing file, or a file
            // where a directory should be) means "not found"; anything else is a read failure.
            if (e instanceof NoSuchFileException || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound(e);
            }
            throw readFailed(e);
        }
        requireInsideRealRoot(real);
        return real;
    }

    /** {@return the location as an absolute, normalized path that names a place inside a root} */
    private Path confinedLexically(URI location) {
        if (!supports(location)) {
            throw BrizoException.invalid("the file storage driver handles only file: locations");
        }
        Path path;
        try {
            path = Path.of(location);
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw BrizoException.configuration(
                    "the storage location of this asset is not a usable file: URI; use an absolute one such as file:///data/file.csv");
        }
        for (Path segment : path) {
            if (segment.toString().equals("..")) {
                LOG.debug("refusing a file location with a '..' segment");
                throw outsideRoots();
            }
        }
        Path normalized = path.toAbsolutePath().normalize();
        if (roots.stream().noneMatch(r -> r.lexicallyContains(normalized))) {
            LOG.debug("refusing a file location outside the roots: {}", normalized);
            throw outsideRoots();
        }
        return normalized;
    }

    private void requireInsideRealRoot(Path real) {
        if (roots.stream().noneMatch(r -> real.startsWith(r.real()))) {
            LOG.debug("refusing a file location whose real path leaves the roots: {}", real);
            throw outsideRoots();
        }
    }

    private static void requireRegular(BasicFileAttributes attrs) {
        if (!attrs.isRegularFile()) {
            throw BrizoException.notFound(NOT_A_FILE_MESSAGE);
        }
    }

    private static ObjectInfo info(Path real, BasicFileAttributes attrs, long size) {
        String contentType = null;
        try {
            contentType = Files.probeContentType(real);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not probe a content type", e);
        }
        return ObjectInfo.builder(size)
                .contentType(contentType == null ? null : contentType.toLowerCase(Locale.ROOT))
                .lastModified(attrs.lastModifiedTime().toInstant())
                .build();
    }

    private static BrizoException outsideRoots() {
        return new BrizoException(ErrorKind.FORBIDDEN, OUTSIDE_ROOTS_MESSAGE);
    }

    private static BrizoException notFound(IOException e) {
        LOG.debug("a file location does not exist", e);
        return BrizoException.notFound(NOT_FOUND_MESSAGE);
    }

    private static BrizoException readFailed(IOException e) {
        LOG.debug("reading a file failed", e);
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "reading the file of this asset failed",
                BrizoException.redactedCause(e),
                !isPermanent(e));
    }

    /** A permission problem does not go away by retrying; other I/O errors might. */
    private static boolean isPermanent(IOException e) {
        return e instanceof AccessDeniedException;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a file failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "FileStorageDriver{roots=" + roots.size() + "}";
    }
}
