package io.brizo.compute.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests of {@code deploy/kubernetes} (several {@code serve} replicas with this backend)
 * against the real kube-apiserver of {@link RealKubernetes}: every document passes a server-side
 * dry-run create (validation, defaulting and admission, without controllers acting on it), and
 * the properties several replicas depend on hold.
 */
class DeploymentManifestsApiServerTest {
    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");

    /** The Role the backend needs: the one file its API server tests run it under. */
    private static final Path ROLE = Path.of("rbac", "role.yaml");

    @TempDir
    static Path dir;

    static RealKubernetes kube;

    @BeforeAll
    static void startKubernetes() throws Exception {
        kube = RealKubernetes.start(dir);
    }

    @AfterAll
    static void stopKubernetes() {
        if (kube != null) {
            kube.close();
        }
    }

    private static List<HasMetadata> load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return kube.client().load(in).items();
        }
    }

    private static List<HasMetadata> manifests() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                all.addAll(load(f));
            }
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T only(List<HasMetadata> all, Class<T> type) {
        List<HasMetadata> found = all.stream().filter(type::isInstance).toList();
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + DEPLOY);
        return (T) found.get(0);
    }

    @Test
    void everyManifestAndTheBackendsRolePassAServerSideDryRunCreate() throws IOException {
        KubernetesClient client = kube.client();
        List<HasMetadata> all = manifests();
        Set<String> kinds = all.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "Namespace",
                        "ServiceAccount",
                        "RoleBinding",
                        "ConfigMap",
                        "Deployment",
                        "Service",
                        "PodDisruptionBudget"),
                kinds);

        HasMetadata namespace = all.stream()
                .filter(o -> o.getKind().equals("Namespace"))
                .findFirst()
                .orElseThrow();
        assertNotNull(client.resource(namespace).dryRun().create());
        // Namespaced documents are admitted only into a namespace that exists; a dry-run of the
        // Namespace above creates nothing.
        String ns = namespace.getMetadata().getName();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();

        List<HasMetadata> namespaced = new ArrayList<>(load(ROLE));
        for (HasMetadata o : all) {
            if (o.getKind().equals("Namespace")) {
                continue;
            }
            assertEquals(
                    ns,
                    o.getMetadata().getNamespace(),
                    o.getKind() + " " + o.getMetadata().getName());
            namespaced.add(o);
        }
        for (HasMetadata o : namespaced) {
            HasMetadata admitted = o.getKind().equals("PodDisruptionBudget") ? asPolicyV1beta1(o) : o;
            HasMetadata answer =
                    client.resource(admitted).inNamespace(ns).dryRun().create();
            assertNotNull(answer, o.getKind());
            assertNotNull(answer.getMetadata().getUid(), "the server admitted " + o.getKind());
        }
        // Nothing was stored: dry-run is a dry run.
        assertNull(client.apps().deployments().inNamespace(ns).withName("brizo").get());
        assertNull(
                client.rbac().roles().inNamespace(ns).withName("brizo-compute").get());
    }

    /**
     * The manifest is {@code policy/v1} (the only version from Kubernetes 1.25 on); the test server
     * (1.20) serves the same spec as {@code policy/v1beta1} only, so the document is validated as
     * that.
     */
    private static HasMetadata asPolicyV1beta1(HasMetadata pdb) {
        String yaml = kube.client().getKubernetesSerialization().asYaml(pdb);
        assertTrue(yaml.contains("apiVersion: \"policy/v1\""), yaml);
        String v1beta1 = yaml.replace("apiVersion: \"policy/v1\"", "apiVersion: \"policy/v1beta1\"");
        return kube.client()
                .load(new ByteArrayInputStream(v1beta1.getBytes(StandardCharsets.UTF_8)))
                .items()
                .get(0);
    }

    @Test
    void theDeploymentRunsSeveralProbedNonRootReplicasWithSecretsFromASecret() throws IOException {
        List<HasMetadata> all = manifests();
        Deployment deployment = only(all, Deployment.class);
        assertTrue(deployment.getSpec().getReplicas() >= 2, "several replicas");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container server = pod.getContainers().get(0);
        assertEquals("/ready", server.getReadinessProbe().getHttpGet().getPath());
        assertEquals("/health", server.getLivenessProbe().getHttpGet().getPath());
        assertEquals("http", server.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals(8030, server.getPorts().get(0).getContainerPort());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals(Boolean.FALSE, server.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(
                List.of("ALL"), server.getSecurityContext().getCapabilities().getDrop());
        assertNotNull(server.getResources().getRequests().get("memory"));
        assertNotNull(server.getResources().getLimits().get("memory"));

        Map<String, EnvVar> env = server.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        for (String secret : List.of("PROVIDER_KEY", "BRIZO_LINK_KEYS", "BRIZO_DATABASE_PASSWORD")) {
            EnvVar e = env.get(secret);
            assertNotNull(e, secret);
            assertNull(e.getValue(), secret + " is no literal");
            assertEquals(secret, e.getValueFrom().getSecretKeyRef().getKey());
        }

        ConfigMap settings = all.stream()
                .filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata()
                        .getName()
                        .equals(server.getEnvFrom().get(0).getConfigMapRef().getName()))
                .findFirst()
                .orElseThrow();
        Map<String, String> values = settings.getData();
        for (String secret : List.of("PROVIDER_KEY", "BRIZO_LINK_KEYS", "BRIZO_DATABASE_PASSWORD")) {
            assertTrue(!values.containsKey(secret), secret + " is not in the ConfigMap");
        }
        assertEquals("0.0.0.0", values.get("BRIZO_HOST"));
        assertEquals(String.valueOf(server.getPorts().get(0).getContainerPort()), values.get("BRIZO_PORT"));
        assertTrue(values.get("BRIZO_DATABASE_URL").startsWith("jdbc:postgresql://"));

        // Every setting is one the code reads. The names of modules not on this test's class path
        // are listed with their owner: serve's own (brizo-examples) and the keeper verifier's.
        Set<String> known = new HashSet<>();
        Brizo.settingKeys(getClass().getClassLoader()).stream()
                .map(SettingKey::name)
                .forEach(known::add);
        known.add("BRIZO_DRAIN_TIMEOUT"); // brizo-examples serve
        known.addAll(List.of(
                "KEEPER_URL",
                "KEEPER_AGREEMENT_STORE_MANAGER",
                "KEEPER_ACCESS_SECRET_STORE_CONDITION",
                "KEEPER_DID_REGISTRY",
                "KEEPER_COMPUTE_EXECUTION_CONDITION")); // brizo-verifier-keeper
        Set<String> unknown = new HashSet<>(values.keySet());
        unknown.addAll(env.keySet());
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "settings no module declares");

        // The values parse as the code reads them: the backend's configuration is accepted, and a
        // drain ends before the kubelet's SIGKILL (grace period less the preStop pause).
        Settings parsed = Settings.builder().putAll(values).build();
        K8sConfig config = KubernetesComputeBackendFactory.config(parsed).orElseThrow();
        assertEquals(values.get("BRIZO_K8S_NAMESPACE"), config.namespace());
        long preStop = Long.parseLong(
                server.getLifecycle().getPreStop().getExec().getCommand().get(1));
        long drain = parsed.getDuration("BRIZO_DRAIN_TIMEOUT", null).toSeconds();
        assertTrue(
                preStop + drain < pod.getTerminationGracePeriodSeconds(),
                "preStop " + preStop + " s + drain " + drain + " s fit in the grace period");

        // BRIZO_PUBLIC_URL is the Service, so links outlive the replica that made them.
        Service service = only(all, Service.class);
        String publicUrl = values.get("BRIZO_PUBLIC_URL");
        assertEquals(
                "http://" + service.getMetadata().getName() + "."
                        + service.getMetadata().getNamespace() + ".svc.cluster.local:"
                        + service.getSpec().getPorts().get(0).getPort(),
                publicUrl);
        assertEquals(service.getMetadata().getNamespace(), values.get("BRIZO_K8S_NAMESPACE"));
        Map<String, String> podLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(
                podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    @Test
    void theDisruptionBudgetKeepsAllButOneReplicaOfTheDeploymentsPods() throws IOException {
        List<HasMetadata> all = manifests();
        Deployment deployment = only(all, Deployment.class);
        io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget pdb =
                only(all, io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
        Map<String, String> podLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertEquals(
                deployment.getSpec().getSelector().getMatchLabels(),
                pdb.getSpec().getSelector().getMatchLabels());
        assertTrue(podLabels
                .entrySet()
                .containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        boolean keepsTwo = pdb.getSpec().getMaxUnavailable() != null
                ? pdb.getSpec().getMaxUnavailable().getIntVal() == 1
                : pdb.getSpec().getMinAvailable().getIntVal() >= 2;
        assertTrue(keepsTwo, "at most one replica away at a time");
        assertTrue(deployment.getSpec().getReplicas() - 1 >= 2, "two replicas serve while one is away");
    }

    @Test
    void theServersServiceAccountHoldsExactlyTheBackendsDocumentedRole() throws Exception {
        List<HasMetadata> all = manifests();
        Role role = (Role) load(ROLE).get(0);
        assertEquals(readmeRole().getRules(), role.getRules(), "rbac/role.yaml is the Role the README documents");

        ServiceAccount account = only(all, ServiceAccount.class);
        RoleBinding binding = only(all, RoleBinding.class);
        Deployment deployment = only(all, Deployment.class);
        assertEquals(
                account.getMetadata().getName(),
                deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        Subject subject = binding.getSubjects().get(0);
        assertEquals("ServiceAccount", subject.getKind());
        assertEquals(account.getMetadata().getName(), subject.getName());
        assertEquals(account.getMetadata().getNamespace(), subject.getNamespace());

        // Applied for real (in a namespace of its own), the binding gives the pods' identity every
        // right of the Role, in the namespace of the jobs.
        KubernetesClient client = kube.client();
        String ns = "rbac-check";
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
        client.rbac().roles().inNamespace(ns).resource(role).create();
        binding.getMetadata().setNamespace(ns);
        subject.setNamespace(ns);
        client.rbac().roleBindings().inNamespace(ns).resource(binding).create();
        String user =
                "system:serviceaccount:" + ns + ":" + account.getMetadata().getName();
        for (PolicyRule rule : role.getRules()) {
            for (String resource : rule.getResources()) {
                String[] parts = resource.split("/", 2);
                for (String verb : rule.getVerbs()) {
                    RealKubernetes.await(
                            java.time.Duration.ofSeconds(30),
                            () -> allowed(user, ns, rule.getApiGroups().get(0), parts, verb),
                            user + " may " + verb + " " + resource);
                }
            }
        }
        assertTrue(!allowed(user, ns, "", new String[] {"secrets"}, "get"), "no right beyond the Role");
        assertTrue(!allowed(user, "default", "", new String[] {"configmaps"}, "list"), "nor outside its namespace");
    }

    private static boolean allowed(String user, String ns, String group, String[] resource, String verb) {
        return kube.client()
                .authorization()
                .v1()
                .subjectAccessReview()
                .create(new SubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withUser(user)
                        .withGroups("system:serviceaccounts", "system:authenticated")
                        .withNewResourceAttributes()
                        .withNamespace(ns)
                        .withGroup(group)
                        .withResource(resource[0])
                        .withSubresource(resource.length > 1 ? resource[1] : null)
                        .withVerb(verb)
                        .endResourceAttributes()
                        .endSpec()
                        .build())
                .getStatus()
                .getAllowed();
    }

    /** {@return the Role shown in the README's RBAC section} */
    private static Role readmeRole() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("## RBAC[^\\n]*\\n.*?```yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(m.find(), "the README shows the Role");
        String firstDocument = m.group(1).split("\\n---\\n")[0];
        return kube.client()
                .getKubernetesSerialization()
                .unmarshal(new ByteArrayInputStream(firstDocument.getBytes(StandardCharsets.UTF_8)), Role.class);
    }
}
