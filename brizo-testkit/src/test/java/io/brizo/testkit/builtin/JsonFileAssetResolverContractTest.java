package io.brizo.testkit.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.brizo.internal.asset.JsonFileAssetResolver;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.AssetResolver;
import io.brizo.testkit.AssetResolverContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the asset resolver contract against the built-in JSON catalogue, the file {@code
 * BRIZO_ASSETS} names, in a temporary directory.
 */
class JsonFileAssetResolverContractTest extends AssetResolverContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path catalogue() {
        return dir.resolve("assets.json");
    }

    @Override
    protected void writeCatalogue(List<Asset> assets) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        for (Asset asset : assets) {
            ObjectNode entry = root.putObject(asset.did());
            ArrayNode files = entry.putArray("files");
            for (AssetFile file : asset.files()) {
                ObjectNode f = files.addObject().put("url", file.url().toString());
                if (file.contentType() != null) {
                    f.put("contentType", file.contentType());
                }
                if (file.checksum() != null) {
                    f.put("checksum", file.checksum());
                }
            }
            if (!asset.timeout().isZero()) {
                entry.put("timeout", asset.timeout().toSeconds());
            }
            asset.publisherIfKnown().ifPresent(p -> entry.put("publisher", p));
            asset.algorithmIfAny().ifPresent(a -> {
                ObjectNode algorithm = entry.putObject("algorithm");
                algorithm.put("language", a.language()).put("version", a.version());
                AlgorithmContainer c = a.container();
                algorithm
                        .putObject("container")
                        .put("entrypoint", c.entrypoint())
                        .put("image", c.image())
                        .put("tag", c.tag())
                        .put("checksum", c.digest());
            });
        }
        replace(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    @Override
    protected AssetResolver createResolver() {
        // Checked on every lookup: the suite edits the catalogue and expects the edit at once.
        return new JsonFileAssetResolver(catalogue(), Duration.ZERO);
    }

    @Override
    protected boolean writeMalformedCatalogue() throws IOException {
        // A file cut short while a publisher edits it.
        replace("{\"did:op:" + "a".repeat(64) + "\": {\"files\": [{\"url\": \"file:///srv/data/a.csv\"");
        return true;
    }

    /** Writes the whole file and moves it into place, as a careful publisher does. */
    private void replace(String content) throws IOException {
        Path temp = Files.writeString(dir.resolve("assets.json.tmp"), content);
        Files.move(temp, catalogue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
