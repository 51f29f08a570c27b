package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.aspectj.lang.JoinPoint;
import org.aspectj.lang.reflect.MethodSignature;

/**
 * The policies of the join points declared in one woven type, indexed by
 * {@link JoinPoint.StaticPart#getId()} (dense from 0 within a type): after the first call of a join
 * point, finding its policy is a class-value read, an array read and a class compare, and finds null
 * for an unannotated method.
 *
 * <p>An entry is keyed by the runtime class too, since a subclass may bring its own annotations, and a
 * default method runs on instances of many classes.
 */
public final class Sites {

    private static final Site[] NONE = new Site[0];

    /** One table per type that declares woven join points (a class, or an interface's default methods). */
    private static final ClassValue<Sites> BY_DECLARING_TYPE = new ClassValue<>() {
        @Override
        protected Sites computeValue(Class<?> type) {
            return new Sites();
        }
    };

    /** Replaced, never mutated; Site's final fields make a racy read safe. */
    private Site[] sites = NONE;

    /**
     * The policy to apply to this call of {@code jp} on {@code self}: null when there is none, or when
     * the engine is calling {@code self} as an alternative ({@link Passthrough}).
     */
    public static ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        ResilientMethod policy = BY_DECLARING_TYPE.get(jp.getSignature().getDeclaringType()).policy(self, jp);
        return policy == null || Passthrough.claim(self) ? null : policy;
    }

    /** The policy of the join point {@code jp} executing on {@code self}, or null. */
    private ResilientMethod policy(Object self, JoinPoint.StaticPart jp) {
        Site[] s = sites;
        int id = jp.getId();
        if (id < s.length) {
            Class<?> type = self.getClass();
            for (Site site = s[id]; site != null; site = site.next) {
                if (site.type == type) {
                    return site.policy;
                }
            }
        }
        return resolve(self.getClass(), jp);
    }

    private ResilientMethod resolve(Class<?> type, JoinPoint.StaticPart jp) {
        Method method = ((MethodSignature) jp.getSignature()).getMethod();
        // an instance of a container's subclass that intercepts this class applies the policy there
        ResilientMethod policy = ContainerInterception.intercepts(type) ? null : WovenPolicies.of(userClass(type), method);
        int id = jp.getId();
        synchronized (this) {
            Site[] s = Arrays.copyOf(sites, Math.max(sites.length, id + 1));
            s[id] = new Site(type, policy, s[id]);
            sites = s;
        }
        return policy;
    }

    /**
     * The user's class behind a subclass generated at run time (a Guice-enhanced class, when another
     * interceptor applies to a woven class; a mock), whose overrides only delegate to the woven code.
     */
    static Class<?> userClass(Class<?> type) {
        Class<?> c = type;
        while ((c.isSynthetic() || c.getName().contains("$$")) && c.getSuperclass() != null
                && c.getSuperclass() != Object.class) {
            c = c.getSuperclass();
        }
        return c;
    }

    private static final class Site {
        final Class<?> type;
        final ResilientMethod policy;
        final Site next;

        Site(Class<?> type, ResilientMethod policy, Site next) {
            this.type = type;
            this.policy = policy;
            this.next = next;
        }
    }
}
