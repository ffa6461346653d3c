package io.brizo.compute.k8s;

import io.brizo.spi.OutputFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the publish phase's log into output files and keeps them in a ConfigMap: a stopgap that
 * needs no upload route, limited by the ConfigMap size (see the README's gaps).
 */
final class OutputStore {
    static final String INDEX = "index";

    /** The outputs of a publish log, or why it could not be read. */
    record Parsed(List<Map.Entry<String, byte[]>> files, String error) {}

    private OutputStore() {}

    static Parsed tooBig(long maxBytes) {
        return new Parsed(
                List.of(),
                "the outputs exceed the " + maxBytes / 1024
                        + " KiB the Kubernetes backend can keep; write smaller outputs");
    }

    static Parsed parse(String log, long maxBytes) {
        List<Map.Entry<String, byte[]>> files = new ArrayList<>();
        String[] lines = log.split("\n", -1);
        long total = 0;
        int i = 0;
        while (i < lines.length) {
            String line = lines[i++];
            if (line.equals("brizo-done")) {
                return new Parsed(files, null);
            }
            if (!line.startsWith("brizo-output ")) {
                continue;
            }
            String[] header = line.split(" ", 3);
            if (header.length != 3 || !safeName(header[2])) {
                return new Parsed(
                        List.of(), "an output has a name that cannot be served (a tab, or . or .. as a part)");
            }
            StringBuilder b64 = new StringBuilder();
            while (i < lines.length && !lines[i].equals("brizo-end")) {
                b64.append(lines[i++].trim());
            }
            i++;
            byte[] data;
            try {
                data = Base64.getMimeDecoder().decode(b64.toString());
            } catch (IllegalArgumentException e) {
                return new Parsed(List.of(), "the outputs could not be read back from the publish phase");
            }
            if (data.length != Long.parseLong(header[1])) {
                return new Parsed(List.of(), "output " + header[2] + " was cut short while publishing");
            }
            total += data.length;
            if (total > maxBytes) {
                return tooBig(maxBytes);
            }
            files.add(Map.entry(header[2], data));
        }
        return new Parsed(List.of(), "the publish phase ended without listing all outputs");
    }

    private static boolean safeName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\t") || name.contains("\r")) {
            return false;
        }
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                return false;
            }
        }
        return true;
    }

    static ConfigMap configMap(String name, String base, OwnerReference owner, List<Map.Entry<String, byte[]>> files) {
        Map<String, String> binary = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            // ConfigMap keys cannot hold slashes, so files are keyed by position; the index names them.
            binary.put("o" + i, Base64.getEncoder().encodeToString(files.get(i).getValue()));
            index.append(files.get(i).getValue().length)
                    .append('\t')
                    .append(files.get(i).getKey())
                    .append('\n');
        }
        return new ConfigMapBuilder()
                .withMetadata(JobObjects.partMeta(name, base, owner))
                .withData(Map.of(INDEX, index.toString()))
                .withBinaryData(binary)
                .build();
    }

    static List<OutputFile> list(ConfigMap cm) {
        List<OutputFile> out = new ArrayList<>();
        if (cm == null || cm.getData() == null || cm.getData().get(INDEX) == null) {
            return out;
        }
        for (String line : cm.getData().get(INDEX).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                out.add(new OutputFile(line.substring(tab + 1), Long.parseLong(line.substring(0, tab))));
            }
        }
        return out;
    }

    static Optional<byte[]> read(ConfigMap cm, String name) {
        List<OutputFile> files = list(cm);
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).name().equals(name) && cm.getBinaryData() != null) {
                String b64 = cm.getBinaryData().get("o" + i);
                return b64 == null
                        ? Optional.empty()
                        : Optional.of(Base64.getDecoder().decode(b64));
            }
        }
        return Optional.empty();
    }
}
