import os


class T:
	def test(self):
		self.assertEqual(os.getcwdu(), "/")
		with self.assertRaises(E):
			if x:
				pass
