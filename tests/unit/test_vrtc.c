#include "test.h"
#include "vmm/vrtc.h"

TEST(vrtc_civil_round_trip)
{
	/* 2026-11-22 01:15:47 UTC, a Sunday */
	struct civil_time t = civil_from_unix(1795310147ULL);

	CHECK_EQ(t.year, 2026);
	CHECK_EQ(t.month, 11);
	CHECK_EQ(t.day, 22);
	CHECK_EQ(t.hour, 1);
	CHECK_EQ(t.minute, 15);
	CHECK_EQ(t.second, 47);
	CHECK_EQ(t.weekday, 0);
	CHECK_EQ(unix_from_civil(&t), 1795310147ULL);
	t = civil_from_unix(951782400ULL); /* 2000-02-29 leap day */
	CHECK_EQ(t.month, 2);
	CHECK_EQ(t.day, 29);
	CHECK_EQ(unix_from_civil(&t), 951782400ULL);
	t = civil_from_unix(0);
	CHECK_EQ(t.year, 1970);
	CHECK_EQ(t.weekday, 4);
}

TEST(vrtc_registers)
{
	struct vrtc r;
	uint64_t now = 1795310147ULL;

	vrtc_init(&r);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x80 | 0x00); /* NMI mask bit ignored */
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x47);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x04);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x01);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x09);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x26);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x32);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x20);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x0a);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now) & 0x80, 0); /* no update in progress */
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x0b);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x02);
	vrtc_port_write(&r, VRTC_DATA_PORT, 0x06); /* status B: ignored */
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x02);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x00);
	vrtc_port_write(&r, VRTC_DATA_PORT, 0x12); /* the time is read-only */
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x47);
	vrtc_port_write(&r, VRTC_INDEX_PORT, 0x0f); /* plain CMOS RAM keeps writes */
	vrtc_port_write(&r, VRTC_DATA_PORT, 0x5a);
	CHECK_EQ(vrtc_port_read(&r, VRTC_DATA_PORT, now), 0x5a);
	CHECK_EQ(vrtc_port_read(&r, VRTC_INDEX_PORT, now), 0x0f);
}
