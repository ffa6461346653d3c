package io.brizo.testkit.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.verifier.DevelopmentAgreementVerifierFactory;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Settings;
import io.brizo.testkit.ServiceAgreementVerifierContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the verifier contract against the built-in development verifier: grants in the file
 * {@code BRIZO_GRANTS} names, in a temporary directory. It has no remote authority, so the suite
 * checks that it always answers.
 */
class DevelopmentAgreementVerifierContractTest extends ServiceAgreementVerifierContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ArrayNode grants = JSON.createArrayNode();
    private ServiceAgreementVerifier verifier;

    @BeforeEach
    void createVerifier() throws IOException {
        writeGrants();
        verifier = new DevelopmentAgreementVerifierFactory()
                .create(Settings.builder()
                        .put(
                                DevelopmentAgreementVerifierFactory.GRANTS.name(),
                                grantsFile().toString())
                        // Checked on every call: the suite grants and expects the grant at once.
                        .put("BRIZO_RELOAD_INTERVAL", "0")
                        .build())
                .orElseThrow();
    }

    @Override
    protected ServiceAgreementVerifier verifier() {
        return verifier;
    }

    @Override
    protected void grant(String agreementId, String did, String consumer, ServiceType service) throws IOException {
        add(agreementId, did, consumer, service);
        writeGrants();
    }

    @Override
    protected boolean grantUntil(
            String agreementId, String did, String consumer, ServiceType service, Instant expiresAt)
            throws IOException {
        add(agreementId, did, consumer, service).put("expiresAt", expiresAt.toString());
        writeGrants();
        return true;
    }

    @Override
    protected boolean permit(String did, String grantee) throws IOException {
        grants.addObject().put("did", did).put("consumer", grantee).put("service", "permission");
        writeGrants();
        return true;
    }

    private ObjectNode add(String agreementId, String did, String consumer, ServiceType service) {
        return grants.addObject()
                .put("agreementId", agreementId)
                .put("did", did)
                .put("consumer", consumer)
                .put("service", service.name().toLowerCase(Locale.ROOT));
    }

    private Path grantsFile() {
        return dir.resolve("grants.json");
    }

    /** Writes the whole file and moves it into place, so the verifier never reads half of it. */
    private void writeGrants() throws IOException {
        Path temp = Files.writeString(dir.resolve("grants.json.tmp"), JSON.writeValueAsString(grants));
        Files.move(temp, grantsFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
