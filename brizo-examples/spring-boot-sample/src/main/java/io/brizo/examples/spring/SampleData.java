package io.brizo.examples.spring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's publisher files: a small CSV dataset, a published algorithm that counts its lines,
 * the asset catalogue and development grants (access and compute) for one consumer; and the
 * {@code brizo.*} properties that serve them.
 */
public final class SampleData {
    /** The dataset's DID. */
    public static final String DATASET_DID = "did:op:" + "da".repeat(32);
    /** The published algorithm's DID. */
    public static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    /** The consumer's access agreement. */
    public static final String ACCESS_AGREEMENT = "ac".repeat(32);
    /** The consumer's compute agreement. */
    public static final String COMPUTE_AGREEMENT = "c0".repeat(32);
    /**
     * The default consumer: account 1 of the published development mnemonic ("test test ... junk"),
     * whose key is public; for trying the sample with {@code brizo-examples.jar sign} only.
     */
    public static final String DEVELOPMENT_CONSUMER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    /** The dataset. */
    public static final String WEATHER = "day,celsius\nmon,12\ntue,14\nwed,11\n";

    private SampleData() {}

    /** {@return the consumer named by {@code --sample.consumer=0x...}, or the development one} */
    static String consumer(String[] args) {
        for (String a : args) {
            if (a.startsWith("--sample.consumer=")) {
                return a.substring("--sample.consumer=".length());
            }
        }
        return DEVELOPMENT_CONSUMER;
    }

    /**
     * Writes the files into {@code dir} and {@return the brizo.* properties that serve them}
     *
     * @param consumer the address the development grants are for
     */
    public static Map<String, Object> write(Path dir, String consumer) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        // The compute backend's sandbox user must be able to traverse to the jobs' folders.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(data.resolve("weather.csv"), WEATHER);
        Files.writeString(
                data.resolve("count.sh"),
                "echo counting lines\nwc -l < \"$INPUTS/" + "da".repeat(32)
                        + "/0\" | tr -d ' ' > \"$OUTPUTS/lines.txt\"\necho done\n");
        Files.writeString(
                dir.resolve("assets.json"),
                "{\"" + DATASET_DID + "\": {\"files\": [{\"url\": \""
                        + data.resolve("weather.csv").toUri()
                        + "\", \"contentType\": \"text/csv\"}]},\n \"" + ALGORITHM_DID
                        + "\": {\"files\": [{\"url\": \""
                        + data.resolve("count.sh").toUri()
                        + "\"}], \"algorithm\": {\"language\": \"sh\", \"container\": {\"image\": \"sh\","
                        + " \"entrypoint\": \"sh $ALGO\"}}}}\n");
        Files.writeString(
                dir.resolve("grants.json"),
                "[{\"agreementId\": \"" + ACCESS_AGREEMENT + "\", \"did\": \"" + DATASET_DID + "\", \"consumer\": \""
                        + consumer + "\", \"service\": \"access\"},\n {\"agreementId\": \"" + COMPUTE_AGREEMENT
                        + "\", \"did\": \"" + DATASET_DID + "\", \"consumer\": \"" + consumer
                        + "\", \"service\": \"compute\"}]\n");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("brizo.assets", dir.resolve("assets.json").toString());
        properties.put("brizo.grants", dir.resolve("grants.json").toString());
        properties.put("brizo.file-roots", data.toString());
        properties.put("brizo.compute.dir", jobs.toString());
        properties.put("brizo.compute.commands", "sh=/bin/sh");
        return properties;
    }
}
