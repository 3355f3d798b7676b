// fp4ref exhaustive-rtl harness: every float32 bit pattern of [start, stop) through the
// Verilated wrapper exh_top (LANES copies of the reference encoder, tied to one rounding mode and
// overflow saturate), each lane's {code, flags} compared with the oracle table.
//
// The oracle: emu.encode's float32 table (2^17 entries of code << 4 | flags), indexed by the
// input's top 16 bits and the OR of its low 16 bits (the sticky), exactly as emu.encode looks it
// up. `make exhaustive` checks that table against ml_dtypes and the grid reference on all 2^32
// inputs; docs/exhaustive_rtl.md says why the index loses nothing.
//
// usage: harness TABLE MODE START STOP     (START, STOP multiples of LANES; STOP <= 2^32)
// prints up to 10 "mismatch ..." lines, then "RESULT <inputs> <mismatches> <CPU seconds>" (the
// process's own CPU time, unaffected by other work on the cores); exit 0 always
// on a completed sweep (the caller judges), 2 on bad arguments.
#include "Vexh_top.h"
#include "verilated.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s TABLE MODE START STOP\n", argv[0]);
        return 2;
    }
    std::vector<uint16_t> table(1u << 17);
    FILE* f = std::fopen(argv[1], "rb");
    if (!f || std::fread(table.data(), sizeof(uint16_t), table.size(), f) != table.size()) {
        std::fprintf(stderr, "cannot read the oracle table %s\n", argv[1]);
        return 2;
    }
    std::fclose(f);
    const unsigned mode = (unsigned)std::strtoul(argv[2], nullptr, 0);
    const uint64_t start = std::strtoull(argv[3], nullptr, 0);
    const uint64_t stop = std::strtoull(argv[4], nullptr, 0);
    const unsigned lanes = EXH_LANES;
    if (start > stop || stop > (1ull << 32) || start % lanes || stop % lanes) {
        std::fprintf(stderr, "bad range %s..%s\n", argv[3], argv[4]);
        return 2;
    }
    Vexh_top* top = new Vexh_top;
    top->mode_i = mode;
    uint64_t bad = 0;
    for (uint64_t base = start; base < stop; base += lanes) {
        for (unsigned k = 0; k < lanes; ++k) top->x_i[k] = (uint32_t)(base + k);
        top->eval();
        for (unsigned k = 0; k < lanes; ++k) {
            const uint32_t x = (uint32_t)(base + k);
            const uint32_t idx = ((x >> 15) & 0x1FFFEu) | ((x & 0xFFFFu) != 0u);
            const uint32_t got = top->out_o[k] & 0xFFFu;
            if (got != table[idx]) {
                if (bad < 10)
                    std::printf("mismatch x=%08" PRIx32 " code expected 0x%x got 0x%x flags expected 0x%x got 0x%x\n",
                                x, table[idx] >> 4, got >> 4, table[idx] & 0xFu, got & 0xFu);
                ++bad;
            }
        }
    }
    timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    std::printf("RESULT %" PRIu64 " %" PRIu64 " %.3f\n", stop - start, bad, cpu.tv_sec + cpu.tv_nsec * 1e-9);
    top->final();
    delete top;
    return 0;
}
