package io.brizo.internal.verifier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.brizo.internal.json.Json;
import io.brizo.internal.util.WatchedFile;
import io.brizo.spi.AgreementClaim;
import io.brizo.spi.Asset;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verifier for development and tests: grants come from a local JSON file, not from the chain.
 * Format: {@code [{"agreementId": "<64 hex>", "did": "did:op:<64 hex>", "consumer": "0x<40 hex>",
 * "service": "access", "expiresAt": "2030-01-01T00:00:00Z"}]} ({@code expiresAt} optional,
 * {@code service} is {@code access} or {@code compute}). The file is re-read when it changes.
 *
 * <p>Direct permissions on a DID (the DID form of consume, see {@link #verifyPermission}) are
 * entries with {@code "service": "permission"} and no {@code agreementId}: {@code {"did":
 * "did:op:<64 hex>", "consumer": "0x<40 hex>", "service": "permission"}}. {@link
 * #grantPermission} appends such an entry: the file is written to a temporary file beside it,
 * forced to disk and renamed over it. Grants within this process are serialised; several processes
 * granting into one file is not supported.
 */
public final class DevelopmentAgreementVerifier implements ServiceAgreementVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(DevelopmentAgreementVerifier.class);
    private static final Pattern ID = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final Set<String> FIELDS = Set.of("agreementId", "did", "consumer", "service", "expiresAt");

    private static final String PERMISSION = "permission";

    private final WatchedFile<List<Grant>> grants;
    private final Clock clock;

    /** A grant; a direct permission on the DID has neither agreement id nor service. */
    record Grant(String agreementId, String did, String consumer, ServiceType service, Instant expiresAt) {
        boolean isPermission() {
            return agreementId == null;
        }
    }

    /**
     * Loads the grants file.
     *
     * @throws BrizoException of kind CONFIGURATION if it is missing or malformed
     */
    public DevelopmentAgreementVerifier(Path grantsFile, Clock clock, Duration checkInterval) {
        this.grants = new WatchedFile<>(grantsFile, "BRIZO_GRANTS", DevelopmentAgreementVerifier::parse, checkInterval);
        this.clock = clock;
        LOG.warn(
                "*** DEVELOPMENT agreement verifier in use: access is granted from the local file {}, "
                        + "not from the chain. Never use it in production. ***",
                grantsFile.getFileName());
    }

    @Override
    public Verdict verify(AgreementClaim claim) {
        boolean expired = false;
        for (Grant g : grants.get()) {
            if (!g.isPermission()
                    && g.agreementId.equals(claim.agreementId())
                    && g.consumer.equals(claim.consumer())
                    && g.service == claim.service()) {
                if (g.expiresAt == null || clock.instant().isBefore(g.expiresAt)) {
                    return Verdict.granted(g.did, g.expiresAt);
                }
                expired = true;
            }
        }
        return Verdict.denied(
                expired
                        ? "the service agreement has expired"
                        : "no " + claim.service().name().toLowerCase(Locale.ROOT)
                                + " agreement with this id grants this consumer access");
    }

    /** {@return granted when a permission entry for {@code did} and {@code consumer} holds now} */
    @Override
    public Verdict verifyPermission(String did, String consumer) {
        String who = consumer.toLowerCase(Locale.ROOT);
        boolean expired = false;
        for (Grant g : grants.get()) {
            if (g.isPermission() && g.did.equals(did) && g.consumer.equals(who)) {
                if (g.expiresAt == null || clock.instant().isBefore(g.expiresAt)) {
                    return Verdict.granted(g.did, g.expiresAt);
                }
                expired = true;
            }
        }
        return Verdict.denied(
                expired
                        ? "the permission on this DID has expired"
                        : "no permission on this DID was given to this consumer");
    }

    /** {@return true: permissions are recorded in the grants file} */
    @Override
    public boolean canGrant() {
        return true;
    }

    /**
     * Appends a permission entry for {@code did} and {@code grantee} to the grants file (see the
     * class comment), unless one without expiry is there already, and serves it at once.
     *
     * @throws BrizoException INVALID_REQUEST for a malformed DID or address; CONFIGURATION when
     *     the file on disk does not parse now (it is left as it is); UNAVAILABLE when it cannot
     *     be read or written
     */
    @Override
    public void grantPermission(String did, String grantee) {
        if (!Asset.isDid(did)) {
            throw BrizoException.invalid("a DID is did:op: and 64 lowercase hex digits");
        }
        if (grantee == null || !ADDRESS.matcher(grantee).matches()) {
            throw BrizoException.invalid("the grantee must be 0x and 40 hex digits");
        }
        String who = grantee.toLowerCase(Locale.ROOT);
        String name = grants.path().getFileName().toString();
        boolean added = grants.update("the grants file", content -> {
            for (Grant g : parse(content, name)) {
                if (g.isPermission() && g.did.equals(did) && g.consumer.equals(who) && g.expiresAt == null) {
                    return null;
                }
            }
            // Parsed above, so a list: the publisher's own entries are kept as they are.
            ArrayNode root = (ArrayNode) Json.readTree(content);
            root.addObject().put("did", did).put("consumer", who).put("service", PERMISSION);
            return Json.prettyBytes(root);
        });
        if (added) {
            LOG.info("permission on {} granted to {} in {}", did, who, name);
        }
    }

    static List<Grant> parse(byte[] content, String fileName) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            throw BrizoException.configuration("the grants file " + fileName + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + "); expected a list of grants");
        } catch (IOException e) {
            throw BrizoException.configuration("cannot read the grants file " + fileName);
        }
        if (root == null || !root.isArray()) {
            throw BrizoException.configuration(
                    "the grants file " + fileName
                            + " must hold a JSON list: [{\"agreementId\": ..., \"did\": ..., \"consumer\": ..., \"service\": \"access\"}]");
        }
        List<Grant> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            out.add(parseGrant(root.get(i), "grant " + i + " in " + fileName));
        }
        return List.copyOf(out);
    }

    private static Grant parseGrant(JsonNode g, String where) {
        if (!g.isObject()) {
            throw BrizoException.configuration(where + " must be a JSON object");
        }
        for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!FIELDS.contains(n)) {
                throw BrizoException.configuration(
                        where + " has the unknown field \"" + n + "\"; allowed: " + String.join(", ", FIELDS));
            }
        }
        boolean permission = g.hasNonNull("service")
                && PERMISSION.equalsIgnoreCase(g.get("service").asText().trim());
        String id = null;
        if (permission) {
            if (g.has("agreementId")) {
                throw BrizoException.configuration(
                        where + ": a permission on a DID has no agreementId (service \"permission\")");
            }
        } else {
            id = field(g, "agreementId", where);
            if (!ID.matcher(id).matches()) {
                throw BrizoException.configuration(where + ": agreementId must be 64 hex digits");
            }
        }
        String did = field(g, "did", where);
        if (!Asset.isDid(did)) {
            throw BrizoException.configuration(where + ": did must be did:op: and 64 lowercase hex digits");
        }
        String consumer = field(g, "consumer", where);
        if (!ADDRESS.matcher(consumer).matches()) {
            throw BrizoException.configuration(where + ": consumer must be 0x and 40 hex digits");
        }
        ServiceType service =
                switch (field(g, "service", where).toLowerCase(Locale.ROOT)) {
                    case "access" -> ServiceType.ACCESS;
                    case "compute" -> ServiceType.COMPUTE;
                    case PERMISSION -> null;
                    default ->
                        throw BrizoException.configuration(
                                where + ": service must be access, compute or permission (on the DID, no agreementId)");
                };
        Instant expiresAt = null;
        JsonNode e = g.get("expiresAt");
        if (e != null && !e.isNull()) {
            try {
                expiresAt = Instant.parse(e.asText());
            } catch (DateTimeParseException ex) {
                throw BrizoException.configuration(
                        where + ": expiresAt must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
            }
        }
        if (id == null) {
            return new Grant(null, did, consumer.toLowerCase(Locale.ROOT), null, expiresAt);
        }
        String normalisedId = id.toLowerCase(Locale.ROOT);
        if (normalisedId.startsWith("0x")) {
            normalisedId = normalisedId.substring(2);
        }
        return new Grant(normalisedId, did, consumer.toLowerCase(Locale.ROOT), service, expiresAt);
    }

    private static String field(JsonNode g, String name, String where) {
        JsonNode n = g.get(name);
        if (n == null || !n.isTextual()) {
            throw BrizoException.configuration(where + " needs a \"" + name + "\" string");
        }
        return n.asText().trim();
    }
}
