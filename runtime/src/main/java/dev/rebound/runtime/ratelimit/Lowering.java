package dev.rebound.runtime.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.proxy.AsyncCommandExecutor;
import io.github.bucket4j.distributed.proxy.CommandExecutor;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.OptimizationListener;
import io.github.bucket4j.distributed.remote.CommandResult;
import io.github.bucket4j.distributed.remote.MultiResult;
import io.github.bucket4j.distributed.remote.RemoteCommand;
import io.github.bucket4j.distributed.remote.commands.AddTokensCommand;
import io.github.bucket4j.distributed.remote.commands.ConsumeAsMuchAsPossibleCommand;
import io.github.bucket4j.distributed.remote.commands.ConsumeIgnoringRateLimitsCommand;
import io.github.bucket4j.distributed.remote.commands.CreateInitialStateWithVersionOrReplaceConfigurationAndExecuteCommand;
import io.github.bucket4j.distributed.remote.commands.MultiCommand;
import java.util.List;

/**
 * Lowers one bucket to what the provider says is left, never raising it, so that corrections arriving
 * together (the threads of an instance, the instances of a fleet, each answered with the same count) do
 * not each take the whole difference again: a read of the level and a separate consume of the difference
 * would, and the bucket would fall far below the provider's count.
 */
abstract class Lowering {

    /** Lowers {@code bucket} to {@code target} when it holds more; {@code target} is below its capacity. */
    abstract void lower(Bucket bucket, long target);

    /**
     * An in-process bucket: the corrections of one bucket take turns (a lock only they take; acquiring and
     * refunding never wait for it), each reading the level and consuming what is above the target, at most
     * what is there. A request admitted between the read and the consume is counted as sent after the
     * provider's count, which it is.
     */
    static Lowering inProcess() {
        return new Lowering() {
            @Override
            synchronized void lower(Bucket bucket, long target) {
                long available = bucket.getAvailableTokens();
                if (available > target) {
                    bucket.tryConsumeAsMuchAsPossible(available - target);
                }
            }
        };
    }

    /**
     * A bucket on a Bucket4j {@code ProxyManager} (Redis): give it to the bucket's builder
     * ({@code withOptimization}), one per bucket. Bucket4j runs each command as one compare-and-swap on the
     * stored state (read, apply, write if unchanged since, else again); {@link Bucket} has no "lower to"
     * command, but its builder hands the bucket's command executor to an {@link Optimization}, which this
     * keeps and hands back unchanged (the bucket's own commands go as before), to run three of Bucket4j's
     * commands as one: take {@code target} (in debt if need be), take whatever is still positive, give
     * {@code target} back. The stored level is then the lesser of what it was and {@code target}, in one
     * compare-and-swap, whoever else lowers it at the same moment.
     */
    static Remote remote(BucketConfiguration configuration, long version) {
        return new Remote(configuration, version);
    }

    static final class Remote extends Lowering implements Optimization {

        private final BucketConfiguration configuration;
        /** The configuration's version ({@code FailoverLimiter}'s), for a bucket made here. */
        private final long version;
        private volatile CommandExecutor executor;

        private Remote(BucketConfiguration configuration, long version) {
            this.configuration = configuration;
            this.version = version;
        }

        /** The bucket's configuration, for its builder (and for a bucket that expired before a lowering). */
        BucketConfiguration configuration() {
            return configuration;
        }

        @Override
        void lower(Bucket bucket, long target) {
            if (bucket.getAvailableTokens() <= target) {
                return; // one read, as before: nothing to lower, nothing written
            }
            RemoteCommand<MultiResult> lower = new MultiCommand(List.of(new ConsumeIgnoringRateLimitsCommand(target),
                    new ConsumeAsMuchAsPossibleCommand(Long.MAX_VALUE), new AddTokensCommand(target)));
            CommandResult<MultiResult> done = executor.execute(lower);
            if (done.getData().getResults().get(0).isBucketNotFound()) { // expired since the read: made full, lowered
                executor.execute(new CreateInitialStateWithVersionOrReplaceConfigurationAndExecuteCommand<>(configuration,
                        lower, version, TokensInheritanceStrategy.ADDITIVE)).getData();
            }
        }

        @Override
        public CommandExecutor apply(CommandExecutor original) {
            executor = original;
            return original;
        }

        @Override
        public AsyncCommandExecutor apply(AsyncCommandExecutor original) {
            return original;
        }

        @Override
        public Optimization withListener(OptimizationListener listener) {
            return this;
        }
    }
}
