package dev.rebound.benchmarks;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * The annotated contract of the woven and Guice contenders, configured as every other contender:
 * 3 attempts, exponential backoff from zero with jitter, one fallback.
 */
public interface ResilientModel extends Model {

    @Override
    @Retry(attempts = 3, delay = 0, multiplier = 2.0, jitter = true)
    @Fallback(to = BackupModel.class)
    String chat(String prompt);
}
