// Kernel parity in the linux-6.12 profile: every oracle trace replays exactly as the real kernel did.
import { kernelParity } from '../helpers/parity.js';

kernelParity('linux-6.12');
