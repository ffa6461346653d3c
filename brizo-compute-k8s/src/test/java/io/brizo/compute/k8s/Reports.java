package io.brizo.compute.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The report lines the helper phases print, as tests that play those pods write them. */
final class Reports {
    private Reports() {}

    /** {@return the job's report marker, from its root ConfigMap} */
    static String marker(KubernetesClient client, String namespace, String base) {
        return client.configMaps()
                .inNamespace(namespace)
                .withName(base)
                .get()
                .getMetadata()
                .getAnnotations()
                .get(KubernetesComputeBackend.A_MARKER);
    }

    /** {@return a line of the publish manifest: kind is output or log} */
    static String published(String marker, String kind, String name, byte[] content) {
        return marker + " " + kind + " " + content.length + " " + sha256(content) + " " + name + "\n";
    }

    /** {@return a line of the configure report: dest as in the plan} */
    static String fetched(String marker, String dest, byte[] content) {
        return marker + " fetched " + content.length + " " + sha256(content) + " " + dest + "\n";
    }

    static String done(String marker) {
        return marker + " done\n";
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String content) {
        return sha256(content.getBytes(StandardCharsets.UTF_8));
    }
}
