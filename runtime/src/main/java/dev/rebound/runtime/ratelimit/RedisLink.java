package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RedisRateLimitStore}'s connection to Redis, which may be away: while it is, callers get
 * null and use in-process limits; it is asked again every retry interval; one WARN line says when it
 * goes away, one INFO line when it answers again. Names the server {@code redis://host:port/db} only.
 */
final class RedisLink {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    private final RedisClient client;
    private final String where;
    private final Duration timeout;
    private final long retryIntervalNanos;
    private final TimeSource clock;
    private final TimeMeter meter;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> proxies;
    private volatile long retryAtNanos;
    private volatile boolean closed;

    RedisLink(RedisURI uri, Duration timeout, Duration retryInterval, Path trustedCertificates, TimeSource clock) {
        this.where = redacted(uri);
        this.timeout = timeout;
        this.retryIntervalNanos = retryInterval.toNanos();
        this.clock = clock;
        this.meter = clock == TimeSource.system() ? TimeMeter.SYSTEM_MILLISECONDS : BucketLimiter.meter(clock, true);
        uri.setTimeout(timeout);
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout));
        if (trustedCertificates != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(trustedCertificates.toFile()).build());
        }
        this.client = RedisClient.create(uri);
        client.setOptions(options.build());
    }

    /** Whether the store runs on the system clock: then Redis's own clock times what expires there. */
    boolean systemClock() {
        return clock == TimeSource.system();
    }

    /** A reading of the clock the buckets share (see {@link RedisRateLimitStore}'s class comment). */
    long nowNanos() {
        return meter.currentTimeNanos();
    }

    /** {@code redis://host:port/db}: never the password. */
    String where() {
        return where;
    }

    /** Whether Redis answered the last time it was asked. */
    boolean reachable() {
        return proxies != null && !down.get();
    }

    /** The commands of the current connection; call after {@link #proxies()} answered non-null. */
    RedisCommands<byte[], byte[]> commands() {
        return connection.sync();
    }

    /** The proxy manager to use now, or null while Redis is away (and then, now and then, one reconnection). */
    ProxyManager<byte[]> proxies() {
        if (closed) {
            return null;
        }
        ProxyManager<byte[]> p = proxies;
        if (p != null && !down.get()) {
            return p;
        }
        if (clock.nanoTime() - retryAtNanos < 0) {
            return null;
        }
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (p != null && c != null && c.isOpen()) {
            return p; // Lettuce has reconnected by itself: try the next command
        }
        return connect() ? proxies : null;
    }

    /** Connects (again); false, with the outage noted, when Redis does not answer. */
    boolean connect() {
        if (!connecting.compareAndSet(false, true)) {
            return false;
        }
        try {
            StatefulRedisConnection<byte[], byte[]> old = connection;
            if (old != null) {
                old.closeAsync(); // a fresh connection now rather than Lettuce's reconnection later
            }
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
            this.connection = c;
            this.proxies = Bucket4jLettuce.casBasedBuilder(c)
                    .clientClock(meter)
                    .requestTimeout(timeout)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build();
            answered();
            return true;
        } catch (RuntimeException e) {
            failed(e, true);
            return false;
        } finally {
            connecting.set(false);
        }
    }

    /** Redis answered: if it had been away, say so once. */
    void answered() {
        if (down.compareAndSet(true, false)) {
            LOG.info("Rebound rate-limit store {} answers again: limits are shared again", where);
        }
    }

    /** Redis did not answer: use in-process limits until the retry interval has passed; warn once per outage. */
    void failed(Throwable e, boolean connecting) {
        retryAtNanos = clock.nanoTime() + retryIntervalNanos;
        if (down.compareAndSet(false, true)) {
            // the exception's class only: its message may carry addresses or server replies
            LOG.warn("Rebound rate-limit store {} is unreachable{} ({}): limits are kept per process until it "
                    + "answers; retrying every {} ms", where, connecting && proxies == null ? " at start-up" : "",
                    e.getClass().getSimpleName(), retryIntervalNanos / 1_000_000);
        }
    }

    void close() {
        closed = true;
        client.shutdownAsync(0, 2, TimeUnit.SECONDS); // closes the connection too
    }

    static String redacted(RedisURI uri) {
        String host = uri.getHost() != null ? uri.getHost() : uri.getSocket() != null ? "socket" : "sentinel";
        return (uri.isSsl() ? "rediss" : "redis") + "://" + host + ":" + uri.getPort() + "/" + uri.getDatabase();
    }
}
