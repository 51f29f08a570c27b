package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.TimeSource;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RedisRateLimitStore}'s connection to Redis, which may be away: while it is, callers get
 * null and use in-process limits; it is asked again every retry interval; one WARN line says when it
 * goes away (or refuses, naming Redis's error code), one INFO line when it answers again. Names the
 * server {@code redis://host:port/db} only. It alone reconnects (Lettuce's own reconnection is off: it
 * would log every attempt, and reconnect out of sight of the restart check), on the first call after a
 * closed connection and then every retry interval; each connection reads the server's {@code run_id},
 * and a new one (Redis restarted or failed over) is said in one WARN: what the fleet kept there is gone.
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
    /** What the threads waiting for another's reconnection wait on. */
    private final Object reconnection = new Object();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile ProxyManager<byte[]> proxies;
    private volatile long retryAtNanos;
    private volatile boolean closed;
    /** The {@code run_id} of the server last connected to (null: none yet, or INFO not allowed). */
    private volatile String runId;
    /** What the last outage WARN said: "away" or Redis's error code. */
    private volatile String warned;

    RedisLink(RedisURI uri, Duration timeout, Duration retryInterval, Path trustedCertificates, TimeSource clock) {
        this.where = redacted(uri);
        this.timeout = timeout;
        this.retryIntervalNanos = retryInterval.toNanos();
        this.clock = clock;
        this.meter = clock == TimeSource.system() ? TimeMeter.SYSTEM_MILLISECONDS : BucketLimiter.meter(clock, true);
        uri.setTimeout(timeout);
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(false) // this link reconnects, once per retry interval
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

    /** The reading of the store's clock (for retry intervals). */
    long nanoTime() {
        return clock.nanoTime();
    }

    /** How long to stay local after a failure before asking again. */
    long retryIntervalNanos() {
        return retryIntervalNanos;
    }

    /**
     * The proxy manager to use now, or null while Redis is away (and then, now and then, one reconnection).
     * A connection found closed (Redis stopped or restarted, the network cut) is replaced at once: one thread
     * reconnects, and the others finding it closed wait for that (a store's timeout at most), so that none
     * goes on with its local limit while Redis answers, and none without an outage said.
     */
    ProxyManager<byte[]> proxies() {
        if (closed) {
            return null;
        }
        ProxyManager<byte[]> p = proxies;
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (p != null && !down.get()) {
            return c.isOpen() || replace(c) ? proxies : null;
        }
        if (clock.nanoTime() - retryAtNanos < 0) {
            return null;
        }
        if (p != null && c != null && c.isOpen()) {
            return p; // a timeout or a refusal left the connection open: try the next command on it
        }
        return connect() ? proxies : null; // during an outage said: the threads not reconnecting stay local
    }

    /**
     * Replaces {@code stale}, found closed while Redis was answering: reconnects, unless another thread has
     * already, or waits for the thread reconnecting (the store's timeout at most: longer is an outage, said
     * as any other); true when the new connection answered.
     */
    private boolean replace(StatefulRedisConnection<byte[], byte[]> stale) {
        if (connecting.compareAndSet(false, true)) {
            try {
                return connection != stale ? !down.get() : open();
            } finally {
                connected();
            }
        }
        long waitUntil = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        synchronized (reconnection) {
            long left;
            while (connecting.get() && (left = waitUntil - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(reconnection, left);
                } catch (InterruptedException e) {
                    interrupted = true; // the wait is bounded: finish it, and keep the flag for the caller's
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (connecting.get()) {
            failed(new TimeoutException(), false);
            return false;
        }
        return connection != stale && !down.get();
    }

    /** Connects (again); false, with the outage noted, when Redis does not answer, or when another thread is. */
    boolean connect() {
        if (!connecting.compareAndSet(false, true)) {
            return false;
        }
        try {
            return open();
        } finally {
            connected();
        }
    }

    /** The connecting thread is done: wakes the threads waiting for it in {@link #replace}. */
    private void connected() {
        synchronized (reconnection) {
            connecting.set(false);
            reconnection.notifyAll();
        }
    }

    /** Opens a connection; called by the one thread {@link #connecting}. */
    private boolean open() {
        try {
            StatefulRedisConnection<byte[], byte[]> old = connection;
            if (old != null && old.isOpen()) {
                old.closeAsync(); // a closed one (Redis went away) has closed itself
            }
            StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
            String server;
            try {
                server = runIdOf(c);
            } catch (RuntimeException noAnswer) { // INFO timed out: this connection is not kept, so not left open
                c.closeAsync();
                throw noAnswer;
            }
            this.connection = c;
            this.proxies = Bucket4jLettuce.casBasedBuilder(c)
                    .clientClock(meter)
                    .requestTimeout(timeout)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy
                            .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build();
            answered();
            String before = runId;
            if (server != null) {
                runId = server;
                if (before != null && !before.equals(server)) {
                    LOG.warn("Rebound rate-limit store {} is a new Redis process (restarted or failed over): unless "
                            + "it kept its data (persistence, a replica), the fleet's rate limits held there start "
                            + "full again and circuit breakers' shared open states are lost", where);
                }
            }
            return true;
        } catch (RuntimeException e) {
            failed(e, true);
            return false;
        }
    }

    /** The server's {@code run_id} ({@code INFO server}), or null when an ACL does not allow INFO. */
    private static String runIdOf(StatefulRedisConnection<byte[], byte[]> c) {
        try {
            for (String line : c.sync().info("server").split("\r?\n")) {
                if (line.startsWith("run_id:")) {
                    return line.substring("run_id:".length()).trim();
                }
            }
            return null;
        } catch (RedisCommandExecutionException notAllowed) {
            return null; // a restart then goes unnoticed (documented)
        }
    }

    /**
     * Redis answered: if it had been away, say so once. An answer that comes back after its connection
     * closed (a command sent before Redis stopped, returning after another's failure said the outage) is not
     * Redis answering again.
     */
    void answered() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (down.get() && c != null && c.isOpen() && down.compareAndSet(true, false)) {
            warned = null;
            LOG.info("Rebound rate-limit store {} answers again: limits are shared again", where);
        }
    }

    /**
     * Redis did not answer, or refused: use in-process limits until the retry interval has passed; warn once
     * per outage (and again if its cause changes, from away to refusing or from one error code to another).
     */
    void failed(Throwable e, boolean connecting) {
        if (interruption(e)) {
            Thread.currentThread().interrupt(); // the caller's, not the store's: no outage, the flag kept
            return;
        }
        retryAtNanos = clock.nanoTime() + retryIntervalNanos;
        String code = errorCode(e);
        String said = code == null ? "away" : code;
        boolean wentDown = down.compareAndSet(false, true);
        if (!wentDown && said.equals(warned)) {
            return;
        }
        warned = said;
        long every = retryIntervalNanos / 1_000_000;
        if (code == null) {
            // the exception's class only: its message may carry addresses or server replies
            LOG.warn("Rebound rate-limit store {} is unreachable{} ({}): limits are kept per process until it "
                    + "answers; retrying every {} ms", where, connecting && proxies == null ? " at start-up" : "",
                    e.getClass().getSimpleName(), every);
        } else if (CREDENTIALS.contains(code)) {
            LOG.warn("Rebound rate-limit store {} refuses this client's credentials ({}): a configuration error, "
                    + "check the user and password of the connection string and the user's ACL; limits are kept "
                    + "per process until it accepts them; asking again every {} ms", where, code, every);
        } else {
            LOG.warn("Rebound rate-limit store {} refuses commands ({}): limits are kept per process until it "
                    + "accepts them; asking again every {} ms", where, code, every);
        }
    }

    /** Redis's error codes that say the client's user, password or ACL is wrong: they will not heal alone. */
    private static final Set<String> CREDENTIALS = Set.of("WRONGPASS", "NOAUTH", "NOPERM");

    /**
     * Whether a failure concerns one key only (Redis answered, the connection is open, and what failed was
     * that key's value: {@code WRONGTYPE}, or a value Bucket4j cannot read): the store stays in use for
     * the other keys. A closed connection, a timeout, or any other Redis error concerns the whole store.
     */
    boolean keyOnly(Throwable e) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c == null || !c.isOpen()) {
            return false;
        }
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof RedisCommandExecutionException) {
                return "WRONGTYPE".equals(errorCode(t));
            }
            if (t instanceof RedisException || t instanceof io.github.bucket4j.TimeoutException
                    || t instanceof TimeoutException) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a command ended because its caller's thread was interrupted while it waited for the answer
     * (Bucket4j's Lettuce proxy wraps the {@link InterruptedException} in a {@link RedisException}; Lettuce's
     * own commands throw {@link RedisCommandInterruptedException}): the caller's doing, not the store's.
     */
    static boolean interruption(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof InterruptedException || t instanceof RedisCommandInterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** A command error inside a script, as Redis 6 reports it. */
    private static final Pattern SCRIPT_ERROR = Pattern.compile(": -([A-Z][A-Z_]{1,31}) ");

    /**
     * Redis's error code when Redis answered with an error ({@code WRONGPASS}, {@code OOM}, {@code READONLY}...:
     * the first word of its reply, never the rest, which may repeat data), or null when it did not answer.
     */
    static String errorCode(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof RedisCommandExecutionException) {
                String m = t.getMessage() == null ? "" : t.getMessage();
                Matcher script = SCRIPT_ERROR.matcher(m);
                if (m.startsWith("ERR Error running script") && script.find()) {
                    return script.group(1); // Redis 6 wraps a script's command error: "...: -OOM command not..."
                }
                int end = m.indexOf(' ');
                String word = end < 0 ? m : m.substring(0, end);
                return word.matches("[A-Z][A-Z_]{1,31}") ? word : "ERR";
            }
        }
        return null;
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
