// Clock setup for the FR5994 firmware (facts §4.5 clock system, §3 FRAM wait states).
#pragma once

// MCLK = SMCLK = DCO 16 MHz, ACLK = VLO; one FRAM wait state; unlocks I/O (LOCKLPM5).
void clock_init_16mhz(void);

// MCLK = SMCLK = DCO 8 MHz, ACLK = VLO; no FRAM wait state (facts §3: 0 up to 8 MHz).
void clock_init_8mhz(void);
