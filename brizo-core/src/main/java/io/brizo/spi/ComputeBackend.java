package io.brizo.spi;

import java.util.List;
import java.util.Optional;

/**
 * Runs compute jobs. Job state lives in the backend (files, Kubernetes objects), so a restart of
 * the embedding server loses nothing. Implementations must be thread-safe; unknown job ids are
 * NOT_FOUND.
 */
public interface ComputeBackend extends AutoCloseable {
    /** {@return where jobs can run} */
    List<ComputeEnvironment> environments();

    /** Starts {@code job} and returns at once with its first status. */
    JobStatus start(ComputeJob job);

    /** {@return the job's status} */
    JobStatus status(String jobId);

    /**
     * {@return the jobs of {@code owner} (every owner's when null), newest first; only those of
     * {@code agreementId} when it is not null} Deleted jobs are left out.
     */
    List<JobStatus> jobs(String owner, String agreementId);

    /** Stops the job, keeping its outputs and logs; stopping an ended job changes nothing. */
    JobStatus stop(String jobId);

    /** Stops the job if needed and removes everything it left. */
    void delete(String jobId);

    /** {@return the job's log from {@code fromOffset}; works while the job runs} */
    LogChunk logs(String jobId, long fromOffset);

    /** {@return the job's outputs, in a stable order} */
    List<OutputFile> outputs(String jobId);

    /** {@return one output, opened for reading; {@code name} as listed by {@link #outputs}} */
    StorageObject openOutput(String jobId, String name);

    /**
     * {@return what the backend saw of the job, for its receipt: empty while the job has not ended,
     * and always for a backend that keeps no evidence (the default)} Available as long as the
     * job's outputs are.
     *
     * <p>The evidence also carries what the job's consumer asked to be published ({@link
     * JobEvidence#output()}, as given in {@link ComputeJob#output()}): the library reads it back
     * once the job SUCCEEDED to make the outputs a derived asset, served from {@link #openOutput}
     * (and the log from {@link #logs}) for as long as the job is kept. A backend that keeps no
     * evidence, or evidence without it, yields no derived asset: the job's outputs are still
     * downloadable by its owner.
     */
    default Optional<JobEvidence> evidence(String jobId) {
        return Optional.empty();
    }

    /** Releases threads and clients; running jobs continue where the backend allows. */
    @Override
    default void close() {}

    /** Creates a {@link ComputeBackend} from settings; found through ServiceLoader. */
    interface Factory {
        /** {@return the backend's name, such as {@code local} or {@code kubernetes}} */
        String name();

        /**
         * {@return the backend, or empty if the settings do not configure it here}
         *
         * @param storage the publisher's storage, for staging inputs and storing outputs
         */
        Optional<ComputeBackend> create(Settings settings, StorageAccess storage);

        /** {@return the selection priority when several are configured; higher wins} */
        default int priority() {
            return 0;
        }

        /** {@return the settings this factory understands} */
        default List<SettingKey> settingKeys() {
            return List.of();
        }
    }
}
