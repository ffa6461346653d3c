package io.brizo.internal.compute.local;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeAlgorithm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Maps container image names to local commands, standing in for the images this backend cannot
 * run: image {@code python} with entrypoint {@code python $ALGO} runs {@code python3
 * <algorithm file>} when {@code python} maps to {@code python3}. The entrypoint's first word is
 * always replaced by the mapped command, so a consumer cannot choose which program runs, only its
 * arguments. Immutable.
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
     *
     * @throws BrizoException of kind INVALID_REQUEST for an unknown image or an empty entrypoint
     */
    List<String> commandLine(ComputeAlgorithm algorithm, Path algorithmFile) {
        List<String> program = commands.get(algorithm.image());
        if (program == null) {
            throw BrizoException.invalid("the local compute backend cannot run the image '" + algorithm.image()
                    + "'; known images: " + String.join(", ", commands.keySet()));
        }
        List<String> entrypoint = words(algorithm.entrypoint());
        if (entrypoint.isEmpty()) {
            throw BrizoException.invalid("the algorithm's entrypoint is empty");
        }
        List<String> line = new ArrayList<>(program);
        String path = algorithmFile.toString();
        for (String word : entrypoint.subList(1, entrypoint.size())) {
            line.add(word.replace(ALGO, path));
        }
        return List.copyOf(line);
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
