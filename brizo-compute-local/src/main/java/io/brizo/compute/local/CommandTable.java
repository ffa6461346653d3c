package io.brizo.compute.local;

import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeAlgorithm;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Maps container image names to local commands, standing in for the images this backend cannot
 * run: image {@code python} with entrypoint {@code python $ALGO} runs {@code python3
 * <algorithm file>} when {@code python} maps to {@code python3}. The entrypoint's first word is
 * always replaced by the mapped command, so a consumer cannot choose which program runs, only its
 * arguments; a digest pins the runtime: {@code sha256:} of the mapped command's executable.
 * Immutable.
 */
final class CommandTable {
    /** What stands for the algorithm file's path in an entrypoint. */
    static final String ALGO = "$ALGO";

    private final Map<String, List<String>> commands;

    private CommandTable(Map<String, List<String>> commands) {
        this.commands = Collections.unmodifiableMap(new TreeMap<>(commands));
    }

    /**
     * Parses {@code image=command} pairs separated by commas; a command may carry arguments
     * separated by spaces ({@code python=python3 -u}).
     *
     * @return the table, or empty if the text is malformed
     */
    static Optional<CommandTable> parse(String text) {
        Map<String, List<String>> map = new TreeMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            String image = pair.substring(0, eq).trim();
            List<String> command = words(pair.substring(eq + 1));
            if (image.isEmpty() || image.chars().anyMatch(Character::isWhitespace) || command.isEmpty()) {
                return Optional.empty();
            }
            map.put(image, command);
        }
        return map.isEmpty() ? Optional.empty() : Optional.of(new CommandTable(map));
    }

    /** {@return the image names this table knows, sorted} */
    List<String> images() {
        return List.copyOf(commands.keySet());
    }

    /**
     * {@return the program and arguments to run {@code algorithm} whose file is {@code
     * algorithmFile}} The entrypoint is split at white space (no quoting: it is never given to a
     * shell), its first word replaced by the image's command and {@code $ALGO} by the file's path.
     * When the container is pinned by digest, the digest must be that of the runtime the image
     * maps to ({@link #runtimeDigest}): this backend never runs anything else under a pin.
     *
     * @param path the directories in which a command without a slash is looked up
     * @throws BrizoException of kind INVALID_REQUEST for an unknown image or a digest that is not
     *     the runtime's
     */
    List<String> commandLine(ComputeAlgorithm algorithm, Path algorithmFile, String path) {
        AlgorithmContainer container = algorithm.container();
        List<String> program = commands.get(container.image());
        if (program == null) {
            throw BrizoException.invalid("the local compute backend cannot run the image '" + container.image()
                    + "'; known images: " + String.join(", ", commands.keySet()));
        }
        List<String> entrypoint = words(container.entrypoint());
        if (container.digest() != null) {
            String runtime = runtimeDigest(container.image(), path)
                    .orElseThrow(() -> BrizoException.invalid("the local compute backend cannot find the runtime of"
                            + " the image '" + container.image() + "' to compare it with the pinned digest"));
            if (!runtime.equals(container.digest())) {
                throw BrizoException.invalid("the image '" + container.image() + "' is pinned to " + container.digest()
                        + ", but the local compute backend runs it as the runtime " + runtime);
            }
        }
        List<String> line = new ArrayList<>(program);
        String file = algorithmFile.toString();
        for (String word : entrypoint.subList(1, entrypoint.size())) {
            line.add(word.replace(ALGO, file));
        }
        return List.copyOf(line);
    }

    /**
     * {@return the digest of what runs for {@code image}: {@code sha256:} and the hex SHA-256 of
     * its command's executable file, links followed; empty if the command cannot be found} This
     * is what a container's digest must name for this backend to run it.
     *
     * @param path the directories in which a command without a slash is looked up
     */
    Optional<String> runtimeDigest(String image, String path) {
        List<String> program = commands.get(image);
        if (program == null) {
            return Optional.empty();
        }
        return executable(program.get(0), path).map(CommandTable::sha256);
    }

    private static Optional<Path> executable(String command, String path) {
        List<Path> candidates = new ArrayList<>();
        if (command.contains("/")) {
            candidates.add(Path.of(command));
        } else {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, command));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                try {
                    return Optional.of(c.toRealPath());
                } catch (IOException e) {
                    // Vanished meanwhile: try the next one, as the shell would.
                }
            }
        }
        return Optional.empty();
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE, "the local compute backend cannot read a runtime to check its digest");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .toList();
    }

    @Override
    public String toString() {
        return "CommandTable" + commands;
    }
}
