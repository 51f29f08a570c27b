package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.Policies;
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
 * <p>A policy kept for a subclass a container generated is asked on each call whether the instance carries a
 * door's interceptor ({@link #takeable}): Guice shares one generated class between injectors that intercept
 * the same methods of a class, so the instances of an injector without {@code ReboundModule} and those of an
 * injector with it run the same join points, in any order; the advice steps aside for the second alone, whose
 * interceptor applies the policy once, and applies it to the first.
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
                if (!site.takeable) {
                    return site.policy;
                }
                if (site.carriers.carries(self)) {
                    return null;
                }
                if (site.resolved) {
                    return site.policy;
                }
                break; // kept for an instance that carries a door's interceptor: resolved for this one
            }
        }
        return resolve(self, type, jp);
    }

    private static ResilientMethod resolve(Object self, Class<?> type, JoinPoint.StaticPart jp) {
        // an instance that a door's container made with the door's interceptor (ContainerInterception) applies the
        // policy there: the advice steps aside, and resolves nothing for it (its alternatives would come from the
        // global resolver), only for an instance of the same generated class that another container made
        boolean intercepted = ContainerInterception.carries(self);
        ResilientMethod policy = null;
        Class<?> user = null;
        if (!intercepted) {
            // the policy of a subclass a container generated at run time (another injector's, a mock) is its user
            // class's, told by the one test of every door, so that a class ajc wove is never taken for one,
            // whatever its name
            user = GeneratedSubclasses.userClass(type);
            policy = WovenPolicies.of(user, methodOf(jp));
        }
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
        keep(jp, type, policy, !intercepted);
        return policy;
    }

    /**
     * Keeps {@code policy} for {@code jp} on instances of {@code type}, in place of what was kept for them (a site
     * kept unresolved for an instance that carries a door's interceptor, now resolved for one that does not).
     */
    private static void keep(JoinPoint.StaticPart jp, Class<?> type, ResilientMethod policy, boolean resolved) {
        synchronized (Sites.class) {
            Site[] t = table;
            if (++size > t.length / 2) {
                Site[] bigger = new Site[t.length * 2];
                for (Site head : t) {
                    for (Site s = head; s != null; s = s.next) {
                        int i = System.identityHashCode(s.jp) & (bigger.length - 1);
                        bigger[i] = new Site(s.jp, s.type, s.policy, s.resolved, bigger[i]);
                    }
                }
                t = bigger;
            } else {
                t = t.clone();
            }
            int i = System.identityHashCode(jp) & (t.length - 1);
            Site rest = without(t[i], jp, type);
            if (rest != t[i]) {
                size--;
            }
            t[i] = new Site(jp, type, policy, resolved, rest);
            table = t;
        }
    }

    /** The chain {@code head} without the site of {@code jp} on {@code type}: the sites before it copied. */
    private static Site without(Site head, JoinPoint.StaticPart jp, Class<?> type) {
        if (head == null) {
            return null;
        }
        if (head.jp == jp && head.type == type) {
            return head.next;
        }
        Site rest = without(head.next, jp, type);
        return rest == head.next ? head : new Site(head.jp, head.type, head.policy, head.resolved, rest);
    }

    /**
     * Whether {@code policy}, kept for the instances of {@code type}, may be taken over by a door's interceptor
     * on some of them: {@code type} is a subclass a container generated ({@link GeneratedSubclasses}), whose
     * instances {@link ContainerInterception#registerInstance} may mark, now or later. Asked once, as the policy
     * is kept: a woven class's own instances never pay for it.
     */
    static boolean takeable(Class<?> type, ResilientMethod policy) {
        return policy != null && GeneratedSubclasses.isGenerated(type);
    }

    /**
     * Whether the {@link #takeable} class {@code type} is a container's client proxy ({@link Policies#isClientProxy}:
     * Quarkus ArC's, woven by the load-time agent as a class of the application's): each call hands itself to an
     * instance whose own door may apply the policy, which {@link #unlessCarried} asks. Asked once, as the policy is
     * kept.
     */
    static boolean delegating(Class<?> type) {
        return Policies.isClientProxy(type);
    }

    /**
     * {@code policy}, kept for the {@link #takeable} class of {@code self}, or null when {@code self} carries a
     * door's interceptor ({@code carriers}, its class's marks), which applies it, or when {@code self} is a client
     * proxy ({@code delegating}) that hands this call to an instance whose own door applies its policy
     * ({@link Policies#appliedBehind}: ArC's proxy of a woven bean; a policy applies once, there, decided once per
     * proxy class): a read of the instance's chain and an identity look-up, and for a client proxy a class-keyed
     * read more; nothing allocated.
     */
    static ResilientMethod unlessCarried(Object self, ResilientMethod policy, ContainerInterception.Carriers carriers,
            boolean delegating) {
        return carriers.carries(self) || delegating && Policies.appliedBehind(self) ? null : policy;
    }

    private static final class Site {
        final JoinPoint.StaticPart jp;
        final Class<?> type;
        /** Null when the join point has no policy on {@link #type}, or when it is not {@link #resolved}. */
        final ResilientMethod policy;
        /** False when kept for an instance that carries a door's interceptor: resolved for the first that does not. */
        final boolean resolved;
        /** Whether each call asks whether its instance carries a door's interceptor. */
        final boolean takeable;
        /** The marks on the instances of {@link #type}, asked when {@link #takeable}; else null. */
        final ContainerInterception.Carriers carriers;
        final Site next;

        Site(JoinPoint.StaticPart jp, Class<?> type, ResilientMethod policy, boolean resolved, Site next) {
            this.jp = jp;
            this.type = type;
            this.policy = policy;
            this.resolved = resolved;
            this.takeable = !resolved || takeable(type, policy);
            this.carriers = takeable ? ContainerInterception.carriersOf(type) : null;
            this.next = next;
        }
    }
}
