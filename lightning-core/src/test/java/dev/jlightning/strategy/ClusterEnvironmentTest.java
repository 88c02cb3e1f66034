package dev.jlightning.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.DistributedSampler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lightning's cluster-environment detection and the launch variables' checks, without starting processes. */
class ClusterEnvironmentTest {

    @Test
    void torchrunVariablesAreTorchElastic() {
        ClusterEnvironment env = ClusterEnvironment.detect(Map.of("RANK", "3", "LOCAL_RANK", "1", "GROUP_RANK", "1",
                "LOCAL_WORLD_SIZE", "2", "WORLD_SIZE", "4", "MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29500"), 2, 2);
        assertInstanceOf(TorchElasticEnvironment.class, env);
        assertEquals(3, env.globalRank());
        assertEquals(1, env.localRank());
        assertEquals(1, env.nodeRank());
        assertEquals(4, env.worldSize());
        assertEquals("10.0.0.1", env.mainAddress());
        assertEquals(29500, env.mainPort());
        assertTrue(env.createsProcessesExternally());
        var e = assertThrows(MisconfigurationException.class, () -> env.validateSettings(2, 1));
        assertTrue(e.getMessage().contains("WORLD_SIZE=4"), e.getMessage());
    }

    @Test
    void kubeflowIsOneProcessPerPod() {
        ClusterEnvironment env = ClusterEnvironment.detect(Map.of("KUBERNETES_PORT", "tcp://1.2.3.4:443",
                "MASTER_ADDR", "job-master-0", "MASTER_PORT", "23456", "WORLD_SIZE", "3", "RANK", "2"), 1, 3);
        assertInstanceOf(KubeflowEnvironment.class, env);
        assertEquals(2, env.globalRank());
        assertEquals(0, env.localRank());
        assertEquals(2, env.nodeRank());
        env.validateSettings(1, 3);
        var e = assertThrows(MisconfigurationException.class, () -> env.validateSettings(2, 1));
        assertTrue(e.getMessage().contains("WORLD_SIZE=3"), e.getMessage());
    }

    @Test
    void slurmTakesTheFirstHostAndDerivesThePortFromTheJobId() {
        ClusterEnvironment env = ClusterEnvironment.detect(Map.of("SLURM_NTASKS", "4", "SLURM_PROCID", "2",
                "SLURM_LOCALID", "0", "SLURM_NODEID", "1", "SLURM_NODELIST", "gpu[07-09,12]", "SLURM_JOB_ID",
                "1234567", "SLURM_JOB_NAME", "train", "SLURM_NTASKS_PER_NODE", "2"), 2, 2);
        assertInstanceOf(SLURMEnvironment.class, env);
        assertEquals("gpu07", env.mainAddress());
        assertEquals(4567 + 15000, env.mainPort());
        assertEquals(2, env.globalRank());
        env.validateSettings(2, 2);
        var e = assertThrows(MisconfigurationException.class, () -> env.validateSettings(1, 4));
        assertTrue(e.getMessage().contains("--ntasks-per-node=2"), e.getMessage());
        assertEquals("node1", SLURMEnvironment.rootNodeAddress("node1,node2"));
        assertEquals("a3", SLURMEnvironment.rootNodeAddress("a3"));
    }

    @Test
    void interactiveSlurmIsNotASlurmJob() {
        assertFalse(SLURMEnvironment.detect(Map.of("SLURM_NTASKS", "1", "SLURM_JOB_NAME", "bash")));
    }

    @Test
    void withoutClusterVariablesTheTrainerLaunchesItself() {
        ClusterEnvironment env = ClusterEnvironment.detect(Map.of(), 2, 1);
        assertInstanceOf(LightningEnvironment.class, env);
        assertFalse(env.createsProcessesExternally());
        assertEquals("127.0.0.1", env.mainAddress());
        assertEquals(2, env.worldSize());
        assertEquals(0, env.globalRank());
        assertTrue(env.mainPort() > 0);
        ClusterEnvironment child = ClusterEnvironment.detect(Map.of("LOCAL_RANK", "1", "MASTER_PORT", "4000",
                "WORLD_SIZE", "4", "NODE_RANK", "1", "MASTER_ADDR", "h0"), 2, 2);
        assertTrue(child.createsProcessesExternally());
        assertEquals(3, child.globalRank());
    }

    @Test
    void wrongOrMissingVariablesAreNamed() {
        var world = assertThrows(MisconfigurationException.class,
                () -> ClusterEnvironment.detect(Map.of("WORLD_SIZE", "3"), 2, 1));
        assertTrue(world.getMessage().contains("WORLD_SIZE=3"), world.getMessage());
        var addr = assertThrows(MisconfigurationException.class,
                () -> ClusterEnvironment.detect(Map.of("MASTER_PORT", "29500"), 2, 2));
        assertTrue(addr.getMessage().contains("MASTER_ADDR"), addr.getMessage());
        var port = assertThrows(MisconfigurationException.class,
                () -> ClusterEnvironment.detect(Map.of("MASTER_PORT", "http"), 2, 1));
        assertTrue(port.getMessage().contains("MASTER_PORT=http"), port.getMessage());
        var rank = assertThrows(MisconfigurationException.class, () -> ClusterEnvironment.detect(Map.of("RANK", "2",
                "LOCAL_RANK", "0", "GROUP_RANK", "0", "LOCAL_WORLD_SIZE", "2", "WORLD_SIZE", "2", "MASTER_ADDR", "a",
                "MASTER_PORT", "1"), 2, 1));
        assertTrue(rank.getMessage().contains("RANK=2"), rank.getMessage());
    }

    @Test
    void aPortInUseIsRefusedNamingMasterPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ClusterEnvironment env = ClusterEnvironment.detect(Map.of("MASTER_PORT",
                    Integer.toString(taken.getLocalPort())), 1, 1);
            var e = assertThrows(MisconfigurationException.class, () -> ProcessGroupConnection.connect(env, false,
                    java.time.Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("MASTER_PORT=" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void distributedSamplerSplitsAndPadsLikePyTorch() {
        int[] order = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        assertArrayEquals(new int[] {9, 6, 3, 0}, DistributedSampler.of(3, 0).shard(order));
        assertArrayEquals(new int[] {8, 5, 2, 9}, DistributedSampler.of(3, 1).shard(order));
        assertArrayEquals(new int[] {7, 4, 1, 8}, DistributedSampler.of(3, 2).shard(order));
        assertArrayEquals(new int[] {8, 5, 2}, new DistributedSampler(3, 1, true).shard(order));
        assertEquals(4, DistributedSampler.of(3, 0).numSamples(10));
        assertEquals(3, new DistributedSampler(3, 0, true).numSamples(10));
        assertArrayEquals(new int[] {1}, DistributedSampler.of(4, 3).shard(new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> DistributedSampler.of(2, 2));
    }

    @Test
    void reduceOpNamesFollowLightning() {
        assertEquals(ReduceOp.MEAN, ReduceOp.of("mean"));
        assertEquals(ReduceOp.MAX, ReduceOp.of("MAX"));
        assertThrows(MisconfigurationException.class, () -> ReduceOp.of("median"));
    }

    @Test
    void threadsPerProcessFollowLightningsSuggestionUnlessOmpNumThreadsIsSet() {
        assertEquals(1, NativeThreads.suggested(2, 2));
        assertEquals(8, NativeThreads.suggested(16, 2));
        assertEquals(1, NativeThreads.suggested(1, 4));
        int before = org.bytedeco.pytorch.global.torch.get_num_threads();
        NativeThreads.setIfNeeded(Map.of("OMP_NUM_THREADS", "3"), 64);
        assertEquals(before, org.bytedeco.pytorch.global.torch.get_num_threads(), "OMP_NUM_THREADS wins");
        try {
            NativeThreads.setIfNeeded(Map.of(), Runtime.getRuntime().availableProcessors() * 4);
            assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads());
            assertEquals(1, org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads());
            NativeThreads.setIfNeeded(Map.of(), 1);
            assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads(), "a cap never adds threads");
            assertEquals(1, org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads());
        } finally {
            org.bytedeco.pytorch.global.torch.set_num_threads(before);
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(before);
        }
    }
}
