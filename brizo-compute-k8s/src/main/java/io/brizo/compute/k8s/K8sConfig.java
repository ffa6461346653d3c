package io.brizo.compute.k8s;

import io.brizo.spi.ComputeEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the factory read from the settings.
 *
 * @param namespace where the job objects live
 * @param helperImage the image of the configure and publish phases (needs sh and curl)
 * @param storageClass the storage class of the per-job volume, or null for the cluster default
 * @param volumeSize the size requested for the per-job volume, such as {@code 1Gi}
 * @param nodeSelector node labels every job pod must match
 * @param pullSecrets names of image pull secrets in the namespace
 * @param environments where jobs can run
 * @param stageTimeout the deadline of the configure and publish phases
 * @param presignLifetime how long the presigned input URLs stay valid
 * @param pollInterval how often running jobs are advanced
 * @param runAsUser the uid (and gid) of every job container; never 0
 * @param runtimeClass the RuntimeClass of the algorithm pod (a sandbox such as gVisor), or null
 * @param outputLocation the prefix, ending with {@code /}, under which job outputs are stored
 * @param maxOutputBytes the most bytes a job may upload (its volume's size)
 */
record K8sConfig(
        String namespace,
        String helperImage,
        String storageClass,
        String volumeSize,
        Map<String, String> nodeSelector,
        List<String> pullSecrets,
        List<ComputeEnvironment> environments,
        Duration stageTimeout,
        Duration presignLifetime,
        Duration pollInterval,
        long runAsUser,
        String runtimeClass,
        URI outputLocation,
        long maxOutputBytes) {
    K8sConfig {
        nodeSelector = Map.copyOf(nodeSelector);
        pullSecrets = List.copyOf(pullSecrets);
        environments = List.copyOf(environments);
    }
}
