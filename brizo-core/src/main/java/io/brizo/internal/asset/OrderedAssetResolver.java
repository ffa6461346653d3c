package io.brizo.internal.asset;

import io.brizo.spi.Asset;
import io.brizo.spi.AssetResolver;
import java.util.Objects;
import java.util.Optional;

/**
 * Two catalogues asked in order: the first that serves a DID answers, and an error of the first
 * (an unusable entry) is the answer, not a reason to ask the second. Registration goes to the
 * first. Used when both {@code BRIZO_ASSETS} (asked first; it also takes the outputs of compute
 * jobs) and {@code AQUARIUS_URL} are set.
 */
public final class OrderedAssetResolver implements AssetResolver {
    private final AssetResolver first;
    private final AssetResolver second;

    /** Asks {@code first}, then {@code second}. */
    public OrderedAssetResolver(AssetResolver first, AssetResolver second) {
        this.first = Objects.requireNonNull(first, "first");
        this.second = Objects.requireNonNull(second, "second");
    }

    @Override
    public Optional<Asset> resolve(String did) {
        Optional<Asset> a = first.resolve(did);
        return a.isPresent() ? a : second.resolve(did);
    }

    @Override
    public boolean canRegister() {
        return first.canRegister();
    }

    @Override
    public void register(Asset asset) {
        first.register(asset);
    }
}
