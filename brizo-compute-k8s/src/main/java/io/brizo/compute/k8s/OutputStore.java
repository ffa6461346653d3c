package io.brizo.compute.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.spi.OutputFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The publish phase's manifest, read from its log, and the index of a job's uploaded outputs,
 * kept in the ConfigMap {@code <base>-outputs}: names and sizes only, the bytes are in storage.
 */
final class OutputStore {
    static final String OUTPUTS = "outputs";
    static final String LOGS = "logs";

    /** Most files (outputs and logs) a job may publish; the index then stays far below 1 MiB. */
    static final int MAX_FILES = 1000;

    private static final String UPLOAD_FAILED = "brizo-upload-failed ";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Most characters of an index's data: a ConfigMap holds at most 1 MiB in all (names, data and
     * metadata). Beyond it the digests are left out of the index (names and sizes stay, and the
     * job's evidence is marked incomplete); if even names and sizes do not fit, the job fails.
     */
    static final int MAX_INDEX_CHARS = 768 * 1024;

    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** A file as the publish phase reported it: its name, size and sha256 (null if not reported). */
    record Entry(OutputFile file, String sha256) {}

    /** What the publish phase uploaded, or why its manifest could not be read. */
    record Manifest(List<Entry> outputEntries, List<Entry> logEntries, String error) {
        List<OutputFile> outputs() {
            return outputEntries.stream().map(Entry::file).toList();
        }

        List<OutputFile> logs() {
            return logEntries.stream().map(Entry::file).toList();
        }
    }

    private OutputStore() {}

    /**
     * {@return the manifest in {@code log}, the publish container's output} Only lines that start
     * with {@code marker} count (see {@link JobObjects#MARKER_FILE}); a job started before markers
     * existed (null) reports in the old form, "brizo-output size path", without digests.
     */
    static Manifest parse(String log, String marker) {
        List<Entry> outputs = new ArrayList<>();
        List<Entry> logs = new ArrayList<>();
        String prefix = marker == null ? "brizo-" : marker + " ";
        for (String line : log.split("\n", -1)) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String rest = line.substring(prefix.length());
            if (rest.equals("done")) {
                return new Manifest(outputs, logs, null);
            }
            boolean output = rest.startsWith("output ");
            if (!output && !rest.startsWith("log ")) {
                continue;
            }
            String[] f = rest.split(" ", marker == null ? 3 : 4);
            boolean described = f.length == (marker == null ? 3 : 4)
                    && f[1].matches("\\d{1,18}")
                    && (marker == null || SHA256.matcher(f[2]).matches());
            if (!described) {
                return failed("the publish phase listed an output it could not describe");
            }
            if (outputs.size() + logs.size() >= MAX_FILES) {
                return failed(
                        "the job wrote more than " + MAX_FILES + " files; write fewer (for example, one archive)");
            }
            OutputFile file = new OutputFile(f[f.length - 1], Long.parseLong(f[1]));
            (output ? outputs : logs).add(new Entry(file, marker == null ? null : f[2]));
        }
        return failed("the publish phase ended without listing all outputs");
    }

    private static Manifest failed(String why) {
        return new Manifest(List.of(), List.of(), why);
    }

    /**
     * {@return why the publish phase failed, as the upload route told it, if its log says} The
     * route's JSON error messages never hold a location, so they can be shown.
     */
    static String uploadError(String log) {
        for (String line : log.split("\n")) {
            int at = line.indexOf(UPLOAD_FAILED);
            if (at < 0) {
                continue;
            }
            String answer = line.substring(at + UPLOAD_FAILED.length()).trim();
            int brace = answer.indexOf('{');
            if (brace >= 0) {
                try {
                    JsonNode error = JSON.readTree(answer.substring(brace, answer.lastIndexOf('}') + 1));
                    if (error.hasNonNull("message")) {
                        return error.get("message").asText();
                    }
                } catch (Exception e) {
                    // Not the route's JSON: fall through to the generic reason.
                }
            }
            // curl's own failure (no connection, timeout): its text is not shown, it may hold the link.
            return "the server's upload link could not be reached from the publish pod (check BRIZO_PUBLIC_URL)";
        }
        return null;
    }

    /**
     * {@return the index of the manifest's files, with their digests if they fit in {@link
     * #MAX_INDEX_CHARS}, else without (then {@code digests} is false); null if not even names and
     * sizes fit}
     */
    static ConfigMap index(String name, String base, OwnerReference owner, Manifest manifest) {
        for (boolean digests : new boolean[] {true, false}) {
            Map<String, String> data = new LinkedHashMap<>();
            data.put(OUTPUTS, lines(manifest.outputEntries(), digests));
            data.put(LOGS, lines(manifest.logEntries(), digests));
            if (data.values().stream().mapToInt(String::length).sum() <= MAX_INDEX_CHARS) {
                return new ConfigMapBuilder()
                        .withMetadata(JobObjects.partMeta(name, base, owner))
                        .withData(data)
                        .build();
            }
        }
        return null;
    }

    private static String lines(List<Entry> files, boolean digests) {
        StringBuilder sb = new StringBuilder();
        // Tab-separated: a name may hold spaces but, as the upload route checked, no tab. The
        // digest, when kept, sits between size and name.
        for (Entry e : files) {
            sb.append(e.file().size()).append('\t');
            if (digests && e.sha256() != null) {
                sb.append(e.sha256()).append('\t');
            }
            sb.append(e.file().name()).append('\n');
        }
        return sb.toString();
    }

    /** {@return the files of {@code key} ({@link #OUTPUTS} or {@link #LOGS}) in the index} */
    static List<OutputFile> list(ConfigMap index, String key) {
        return entries(index, key).stream().map(Entry::file).toList();
    }

    /** {@return the files of {@code key} in the index with their digests, null where not kept} */
    static List<Entry> entries(ConfigMap index, String key) {
        List<Entry> out = new ArrayList<>();
        if (index == null || index.getData() == null || index.getData().get(key) == null) {
            return out;
        }
        for (String line : index.getData().get(key).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab <= 0) {
                continue;
            }
            long size = Long.parseLong(line.substring(0, tab));
            String rest = line.substring(tab + 1);
            String sha = null;
            if (rest.length() > 65
                    && rest.charAt(64) == '\t'
                    && SHA256.matcher(rest.substring(0, 64)).matches()) {
                sha = rest.substring(0, 64);
                rest = rest.substring(65);
            }
            out.add(new Entry(new OutputFile(rest, size), sha));
        }
        return out;
    }
}
