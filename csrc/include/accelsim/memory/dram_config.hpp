// The DRAM level's parameters: organisation (stacks x channels x pseudo-channels x bank groups x banks)
// and the device timings, in integer ps.
#pragma once
#include "accelsim/config.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

// How addresses spread over pseudo-channels, banks and rows (memory/address_map.hpp).
enum class AddressMapKind {
  Hashed = 0,     // interleave granules rotated over the pseudo-channels by a hash; banks permuted by row
  Mop4ClXor = 1,  // Ramulator's MOP4CLXOR: 4 bursts per bank, then PC / bank group / bank, XORed with the column
};

// Which queued request the controller serves next.
enum class SchedulerKind {
  FrFcfs = 0,     // first ready (earliest column command; row hits first), then oldest
  Fcfs = 1,       // oldest first
  FrFcfsCap = 2,  // FR-FCFS, but after `row_hit_cap` row hits in a row to one bank while an older request
                  // waits elsewhere, the oldest request goes next
};

// How the DRAM is refreshed (JESD235/JESD238): all banks of a pseudo-channel together every tREFI for
// tRFC, or one bank at a time every tREFI / banks for tRFCpb while the other banks keep serving.
enum class RefreshKind { AllBank = 0, PerBank = 1, Off = 2 };

struct DramConfig {
  int stacks = 1, channels_per_stack = 16, pcs_per_channel = 2, bank_groups = 4, banks_per_group = 4;
  Bytes row_bytes = 1024, burst_bytes = 32, interleave_bytes = 1024;
  // timings, ps
  TimePs tBL = 1250, tRCD = 19400, tRP = 16250, tCL = 12500, tRAS = 28100, tRRD_S = 2500, tRRD_L = 3100,
         tFAW = 15000, tCCD_S = 1250, tCCD_L = 2500, tWTR = 6250, tRTW = 12500, tRFC = 350000, tREFI = 3900000;
  TimePs tRFCpb = 0;  // > 0: per-bank refresh (each bank once per tREFI, staggered), else all-bank tRFC
  TimePs access_latency = 300000;  // round trip unit <-> controller, excluding device timing
  AddressMapKind address_map = AddressMapKind::Hashed;
  // Write timing (JEDEC): write latency, write recovery before PRE, read to precharge, ACT to write.
  // has_write_timing false: the older model (write data at tCL, PRE after tCCD_L, ACT-to-write tRCD).
  bool has_write_timing = false;
  TimePs tCWL = 0, tWR = 0, tRTP = 0, tRCDWR = 0;
  // The controller (optional fields; the defaults are the older single-queue FR-FCFS).
  SchedulerKind scheduler = SchedulerKind::FrFcfs;
  int row_hit_cap = 4;
  // Writes wait in a write queue of this many bursts and drain in batches: the controller turns to
  // writes when more than write_high_watermark of it is full (or no read waits) and back to reads when
  // less than write_low_watermark is (and a read waits). 0: one queue, reads and writes mixed.
  int write_queue_bursts = 0;
  double write_high_watermark = 0.8, write_low_watermark = 0.2;
  RefreshKind refresh = RefreshKind::AllBank;  // (tRFCpb_ns > 0 without the field: per-bank)
  bool refresh_by_channel = false;  // all-bank: the pseudo-channels of a channel refresh together
  // The pseudo-channels of a channel share its row-command bus (ACT, PRE) and its column-command bus
  // (RD, WR), each command holding its bus for its command time (JESD235 / JESD238); false: each
  // pseudo-channel's commands are limited by its own timings only.
  bool shared_command_bus = false;
  // The bank groups of a pseudo-channel are split over `sids` stack IDs (bank group g in SID g mod sids);
  // a read follows a read in another SID by tCCDR (JESD238), not tCCD_S.
  int sids = 1;
  TimePs tCCDR = 0;
  TimePs cmd_col = 0, cmd_act = 0, cmd_pre = 0;  // command times on the buses, ps
  // The most DRAM bytes per ps the path between the compute units and the memory controllers carries (an
  // on-package fabric between compute and I/O dies), reads and writes together; 0: only the pins bind.
  double fabric_bytes_per_ps = 0.0;
  int pseudo_channels() const { return stacks * channels_per_stack * pcs_per_channel; }
  int banks() const { return bank_groups * banks_per_group; }
  double peak_bytes_per_ps() const { return static_cast<double>(pseudo_channels()) * burst_bytes / tBL; }
  // The most DRAM bytes per ps any kernel can move: the pins' peak, or the fabric's where it is lower.
  double max_bytes_per_ps() const {
    const double pins = peak_bytes_per_ps();
    return fabric_bytes_per_ps > 0 && fabric_bytes_per_ps < pins ? fabric_bytes_per_ps : pins;
  }

  // Read from the flat machine description (field names as in kDramFields).
  static DramConfig from(const Config& c);
  void validate() const;
};

}  // namespace accelsim
