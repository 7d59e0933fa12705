import os
import pytest


class T:
	def test(self):
		assert os.getcwdu() == "/"
		with pytest.raises(E):
			if True:
				if x:
					pass
