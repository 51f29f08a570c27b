package dev.rebound.runtime.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * A real redis-server on 127.0.0.1 and a free port, from the Linux binary embedded-redis ships in its
 * jar: started by the test class, stopped after it. No manual step, nothing installed.
 */
final class LocalRedis implements AutoCloseable {

    final int port;
    private final List<String> settings;
    private RedisServer server;

    private LocalRedis(int port, List<String> settings) {
        this.port = port;
        this.settings = settings;
    }

    /** A plain server, with {@code requirepass} when {@code password} is not null. */
    static LocalRedis start(String password) {
        List<String> s = new ArrayList<>();
        if (password != null) {
            s.add("requirepass " + password);
        }
        LocalRedis r = new LocalRedis(freePort(), s);
        r.restart();
        return r;
    }

    /** A TLS-only server (no plain port) with the test certificate of src/test/resources/redis-tls. */
    static LocalRedis startTls(String password) {
        Path dir = tlsFiles();
        int port = freePort();
        List<String> s = new ArrayList<>();
        s.add("tls-port " + port);
        s.add("tls-cert-file " + dir.resolve("server.crt"));
        s.add("tls-key-file " + dir.resolve("server.key"));
        s.add("tls-ca-cert-file " + dir.resolve("server.crt"));
        s.add("tls-auth-clients no");
        if (password != null) {
            s.add("requirepass " + password);
        }
        LocalRedis r = new LocalRedis(0, s);
        r.tlsPort = port;
        r.restart();
        return r;
    }

    private int tlsPort;

    /** The port clients connect to. */
    int clientPort() {
        return tlsPort != 0 ? tlsPort : port;
    }

    /** The certificate a TLS client must trust. */
    static Path certificate() {
        return tlsFiles().resolve("server.crt");
    }

    /** Starts (again) on the same port. */
    void restart() {
        try {
            var b = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly no");
            for (String s : settings) {
                b.setting(s);
            }
            server = b.build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
    }

    /** Stops the server, as a crash would for the clients. */
    void stop() {
        try {
            if (server != null && server.isActive()) {
                server.stop();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tlsDir;

    private static synchronized Path tlsFiles() {
        if (tlsDir == null) {
            try {
                Path dir = Files.createTempDirectory("rebound-redis-tls");
                for (String f : List.of("server.crt", "server.key")) {
                    try (InputStream in = LocalRedis.class.getResourceAsStream("/redis-tls/" + f)) {
                        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                dir.toFile().deleteOnExit();
                tlsDir = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tlsDir;
    }
}
