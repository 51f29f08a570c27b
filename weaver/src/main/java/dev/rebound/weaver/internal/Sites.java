package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Method;
import org.aspectj.lang.JoinPoint;
import org.aspectj.lang.reflect.MethodSignature;

/**
 * The policies of the woven join points that have no {@link Slot} of their own (default methods of
 * interfaces, methods of enums, an inherited body running on another class than its slot's), in one open hash table keyed by the join point's static part
 * (its identity: one object per join point, made when its class initialises) and the runtime class:
 * after the first call, finding a policy is an identity hash, an array read and two compares, and finds
 * null for a method without a policy.
 *
 * <p>An entry is keyed by the runtime class too, since a subclass may bring its own annotations, and a
 * default method runs on instances of many classes.
 *
 * <p>A policy kept for a subclass a container generated is asked again whether a door's interceptor has
 * taken it over since ({@link #takeable}): Guice shares one generated class between injectors that intercept
 * the same methods of a class, so an injector without {@code ReboundModule} may have run the class's first
 * call, and an injector with it marks the same class later; the advice then steps aside, and the policy
 * applies once, in the interceptor.
 */
public final class Sites {

    /** Replaced, never mutated; Site's final fields make a racy read safe. Its length is a power of two. */
    private static volatile Site[] table = new Site[256];
    private static int size;

    private Sites() {
    }

    /**
     * The policy to apply to this call of {@code jp} on {@code self}: null when there is none, or when a
     * door that applies it is calling this very method ({@link Passthrough}): the engine calling {@code self} as
     * an alternative, or a door calling a woven default on an object ajc never wove (a mark for another method is
     * not this advice's to take). The join point's method is read only while some mark is in place.
     */
    public static ResilientMethod active(Object self, JoinPoint.StaticPart jp) {
        ResilientMethod policy = policy(self, jp);
        return policy == null || Passthrough.pending() && Passthrough.claim(self, methodOf(jp), policy) ? null
                : policy;
    }

    /** The method of the join point {@code jp}: its signature keeps it once found. */
    static Method methodOf(JoinPoint.StaticPart jp) {
        return ((MethodSignature) jp.getSignature()).getMethod();
    }

    /** The policy of the join point {@code jp} executing on {@code self}, or null. */
    public static ResilientMethod policy(Object self, JoinPoint.StaticPart jp) {
        Site[] t = table;
        Class<?> type = self.getClass();
        for (Site site = t[System.identityHashCode(jp) & (t.length - 1)]; site != null; site = site.next) {
            if (site.jp == jp && site.type == type) {
                return site.takeable ? unlessTaken(type, site.policy) : site.policy;
            }
        }
        return resolve(self, type, jp);
    }

    private static ResilientMethod resolve(Object self, Class<?> type, JoinPoint.StaticPart jp) {
        Method method = methodOf(jp);
        // an instance of a container's subclass that intercepts this class applies the policy there; the policy of
        // any other subclass a container generated at run time (a mock, another injector's) is its user class's,
        // told by the one test of every door, so that a class ajc wove is never taken for one, whatever its name
        Class<?> user = GeneratedSubclasses.userClass(type);
        boolean intercepted = ContainerInterception.intercepts(type);
        ResilientMethod policy = intercepted ? null : WovenPolicies.of(user, method);
        if (Passthrough.marked(self)) {
            // a door that applies the policies itself is calling (Rebound.wrap over an object ajc never wove, the
            // engine calling an alternative): the advice lets the call through, or, when the door's mark is
            // another method's, applies its own policy; not kept, so that the first call no door makes is the
            // one that says what a class ajc never wove misses (so a woven default that a javac override calls
            // on itself inside a door's call resolves again at each such call: a ClassValue and a map read)
            return policy;
        }
        if (!intercepted) {
            WovenPolicies.reached(user);
        }
        synchronized (Sites.class) {
            Site[] t = table;
            if (++size > t.length / 2) {
                Site[] bigger = new Site[t.length * 2];
                for (Site head : t) {
                    for (Site s = head; s != null; s = s.next) {
                        int i = System.identityHashCode(s.jp) & (bigger.length - 1);
                        bigger[i] = new Site(s.jp, s.type, s.policy, bigger[i]);
                    }
                }
                t = bigger;
            } else {
                t = t.clone();
            }
            int i = System.identityHashCode(jp) & (t.length - 1);
            t[i] = new Site(jp, type, policy, t[i]);
            table = t;
        }
        return policy;
    }

    /**
     * Whether {@code policy}, kept for the instances of {@code type}, may be taken over by a door's interceptor
     * after it was kept: {@code type} is a subclass a container generated ({@link GeneratedSubclasses}), which
     * {@link ContainerInterception#registerSubclass} may mark later. Asked once, as the policy is kept: a woven
     * class's own instances never pay for it.
     */
    static boolean takeable(Class<?> type, ResilientMethod policy) {
        return policy != null && GeneratedSubclasses.isGenerated(type);
    }

    /** {@code policy}, kept for the {@link #takeable} class {@code type}, or null once a door intercepts that class. */
    static ResilientMethod unlessTaken(Class<?> type, ResilientMethod policy) {
        return ContainerInterception.intercepts(type) ? null : policy;
    }

    private static final class Site {
        final JoinPoint.StaticPart jp;
        final Class<?> type;
        final ResilientMethod policy;
        final boolean takeable;
        final Site next;

        Site(JoinPoint.StaticPart jp, Class<?> type, ResilientMethod policy, Site next) {
            this.jp = jp;
            this.type = type;
            this.policy = policy;
            this.takeable = takeable(type, policy);
            this.next = next;
        }
    }
}
