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

    /** What the publish phase uploaded, or why its manifest could not be read. */
    record Manifest(List<OutputFile> outputs, List<OutputFile> logs, String error) {}

    private OutputStore() {}

    /** {@return the manifest in {@code log}, the publish container's output} */
    static Manifest parse(String log) {
        List<OutputFile> outputs = new ArrayList<>();
        List<OutputFile> logs = new ArrayList<>();
        for (String line : log.split("\n", -1)) {
            if (line.equals("brizo-done")) {
                return new Manifest(outputs, logs, null);
            }
            boolean output = line.startsWith("brizo-output ");
            if (!output && !line.startsWith("brizo-log ")) {
                continue;
            }
            String[] f = line.split(" ", 3);
            if (f.length != 3 || !f[1].matches("\\d{1,18}")) {
                return failed("the publish phase listed an output it could not describe");
            }
            if (outputs.size() + logs.size() >= MAX_FILES) {
                return failed(
                        "the job wrote more than " + MAX_FILES + " files; write fewer (for example, one archive)");
            }
            (output ? outputs : logs).add(new OutputFile(f[2], Long.parseLong(f[1])));
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

    static ConfigMap index(String name, String base, OwnerReference owner, Manifest manifest) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(OUTPUTS, lines(manifest.outputs()));
        data.put(LOGS, lines(manifest.logs()));
        return new ConfigMapBuilder()
                .withMetadata(JobObjects.partMeta(name, base, owner))
                .withData(data)
                .build();
    }

    private static String lines(List<OutputFile> files) {
        StringBuilder sb = new StringBuilder();
        // Tab-separated: a name may hold spaces but, as the upload route checked, no tab.
        files.forEach(f -> sb.append(f.size()).append('\t').append(f.name()).append('\n'));
        return sb.toString();
    }

    /** {@return the files of {@code key} ({@link #OUTPUTS} or {@link #LOGS}) in the index} */
    static List<OutputFile> list(ConfigMap index, String key) {
        List<OutputFile> out = new ArrayList<>();
        if (index == null || index.getData() == null || index.getData().get(key) == null) {
            return out;
        }
        for (String line : index.getData().get(key).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                out.add(new OutputFile(line.substring(tab + 1), Long.parseLong(line.substring(0, tab))));
            }
        }
        return out;
    }
}
