/**
 * The native targets: this host's Postfix and an unpacked Exim as private
 * instances (scripts/install-native-mtas).
 */
import { EXIM, POSTFIX } from '../../targets/mta.ts';
import { nativeUnavailable, skipBecause } from './gate.ts';
import { assertNativeGone } from './native-checks.ts';
import { describeTarget } from './target-suite.ts';

describeTarget('postfix-native', skipBecause('postfix-native tests', nativeUnavailable(POSTFIX)), { assertGone: assertNativeGone });
describeTarget('exim-native', skipBecause('exim-native tests', nativeUnavailable(EXIM)), { assertGone: assertNativeGone });
