package io.sim2real.env.sessions;

import io.sim2real.contracts.Domain;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Environments created over REST for external agents. Bounded in number; a session unused for the idle
 * timeout is closed when the next one is created, so abandoned sessions do not hold native memory forever.
 */
@ApplicationScoped
public class EnvSessions {

    /** One external agent's vector of environments. Steps on a session are serialised. */
    public static final class Session {
        private final String id;
        private final Domain domain;
        private final HalfCheetahEnv env;
        private volatile long lastUsedNanos = System.nanoTime();

        Session(String id, Domain domain, HalfCheetahEnv env) {
            this.id = id;
            this.domain = domain;
            this.env = env;
        }

        public String id() {
            return id;
        }

        public Domain domain() {
            return domain;
        }

        public HalfCheetahEnv env() {
            lastUsedNanos = System.nanoTime();
            return env;
        }
    }

    /** No more sessions may be opened now. */
    public static class TooManySessionsException extends RuntimeException {
        public TooManySessionsException(String message) {
            super(message);
        }
    }

    @ConfigProperty(name = "sim2real.env.max-sessions", defaultValue = "32")
    int maxSessions;

    @ConfigProperty(name = "sim2real.env.session-idle-timeout", defaultValue = "PT10M")
    Duration idleTimeout;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public synchronized Session create(Domain domain, DomainPhysics physics, int numEnvs, long seed) {
        closeIdle();
        if (sessions.size() >= maxSessions) {
            throw new TooManySessionsException("already " + sessions.size() + " open sessions (sim2real.env.max-sessions); "
                    + "close one with DELETE /api/v1/envs/{id}");
        }
        Session s = new Session(UUID.randomUUID().toString(), domain, new HalfCheetahEnv(physics, numEnvs, 1, seed));
        sessions.put(s.id(), s);
        return s;
    }

    public Optional<Session> get(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    public boolean close(String id) {
        Session s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            s.env.close();
        }
        return true;
    }

    private void closeIdle() {
        long now = System.nanoTime();
        sessions.values().stream()
                .filter(s -> now - s.lastUsedNanos > idleTimeout.toNanos())
                .map(Session::id)
                .toList()
                .forEach(this::close);
    }

    public int size() {
        return sessions.size();
    }

    @PreDestroy
    void closeAll() {
        sessions.keySet().forEach(this::close);
    }
}
